package dev.kata.grader;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One forked test JVM running the probe. It is started before the sources are compiled, so its
 * start-up overlaps compilation, and waits for its orders on standard input. {@link #kill()}
 * ends it and every process it started.
 */
final class TestJvm implements AutoCloseable {
    private final Process process;
    private final OutputCollector output;
    private final Thread reaperOnExit;

    private TestJvm(Process process, int outputCap) {
        this.process = process;
        this.output = new OutputCollector(process.getInputStream(), outputCap);
        this.reaperOnExit = new Thread(this::kill, "kata-test-jvm-reaper");
        Runtime.getRuntime().addShutdownHook(reaperOnExit);
    }

    static TestJvm start(TestJvmSpec spec, Path events) {
        return start(spec, events, "dev.kata.probe.ProbeMain");
    }

    /** A JVM that will warm JUnit up while it waits for its orders: for a check that is not waiting for it yet. */
    static TestJvm startSpare(TestJvmSpec spec, Path events) {
        return start(spec, events, SpareMain.class.getName());
    }

    private static TestJvm start(TestJvmSpec spec, Path events, String mainClass) {
        if (!spec.extraClassPath().isEmpty()) {
            // Made before the JVM starts: a class path folder that is missing at the JVM's first look
            // (a spare's warm-up looks early) is dropped from its class path for good.
            try {
                java.nio.file.Files.createDirectories(ModelChecker.classesDir(events.getParent()));
            } catch (IOException e) {
                throw new UncheckedIOException("could not prepare the test JVM's folder", e);
            }
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + spec.heapMb() + "m");
        command.add("-Xss1m");
        command.add("-XX:MaxMetaspaceSize=256m");
        command.add("-XX:MaxDirectMemorySize=64m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-XX:-UsePerfData");
        command.addAll(spec.archiveFlags());
        command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
        // lets the deadlock detector read a latch's or a lock's state (see probe.LiveWaits)
        command.add("--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
        // what the model checker reads; opened in every test JVM, so that all of them can use the
        // one start-up archive (a JVM opened otherwise than the archive's training run cannot)
        for (String pkg : ModelChecker.OPENED_PACKAGES) {
            command.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
        }
        command.add("-Djdk.trackAllThreads=true");
        command.add("-Djava.awt.headless=true");
        command.add("-Dkata.events=" + events);
        command.add("-Dkata.testTimeoutMs=" + spec.testTimeoutMs());
        command.add("-Dkata.maxThreads=" + spec.maxThreads());
        command.addAll(spec.extraJvmArgs());
        command.add("-cp");
        command.add(spec.extraClassPath().isEmpty() ? spec.classPath()
                : spec.classPath() + java.io.File.pathSeparator + ModelChecker.classesDir(events.getParent()));
        command.add(mainClass);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.directory(events.getParent().toFile());
        try {
            return new TestJvm(builder.start(), spec.outputCapBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the test JVM", e);
        }
    }

    /** Sends the orders (one {@code key=value} per line) and lets the tests run. */
    void go(Map<String, String> orders) {
        StringBuilder text = new StringBuilder();
        orders.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append("go\n");
        send(text.toString());
    }

    /** Tells a JVM whose tests will not run (the sources did not compile) to leave. */
    void abort() {
        send("abort\n");
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        close();
    }

    private void send(String text) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The JVM died before its orders: the caller sees it exit.
        }
    }

    boolean waitFor(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitCode() {
        return process.exitValue();
    }

    /** CPU time the JVM has had so far, or -1 if the system does not say (or it has ended). */
    long cpuMillis() {
        return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
    }

    OutputCollector output() {
        return output;
    }

    /** Ends the JVM and everything it started, and waits until they are gone. */
    void kill() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            for (ProcessHandle p : tree) {
                p.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // best effort: a process that will not die in 5 s after SIGKILL is the kernel's business
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        output.awaitEnd();
        try {
            Runtime.getRuntime().removeShutdownHook(reaperOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or ran
        }
    }
}
