package dev.kata.probe.api;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a learner class's {@code main} in a JVM of its own, the way the learner's program would
 * really run: the JVM ends when {@code main} returns and only non-daemon threads are left.
 * For katas about work lost at exit.
 */
public final class MainRunner {
    /** Output kept per stream; the rest is counted and dropped. */
    private static final int OUTPUT_CAP = 64 * 1024;

    private MainRunner() {
    }

    /** What the program did: its exit code, its output, and whether it had to be killed. */
    public record Result(int exitCode, String stdout, String stderr, boolean timedOut) {
    }

    /**
     * Runs {@code mainClass.main(args)} in a new JVM with the same class path and waits at most
     * {@code timeout}; a program still running then is killed with all its children.
     */
    public static Result run(Class<?> mainClass, Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(classPathFor(mainClass));
        command.add(OrphanGuard.class.getName());
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a JVM for " + mainClass.getName(), e);
        }
        try {
            process.getOutputStream().close(); // the program gets no input
        } catch (IOException ignored) {
            // already closed
        }
        Drain out = Drain.start(process.getInputStream());
        Drain err = Drain.start(process.getErrorStream());
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Result(finished ? process.exitValue() : -1, out.text(), err.text(), !finished);
    }

    private static String classPathFor(Class<?> mainClass) {
        List<String> entries = new ArrayList<>();
        String learner = System.getProperty("kata.classes.dir");
        if (learner != null) {
            entries.add(learner);
        }
        try {
            var source = mainClass.getProtectionDomain().getCodeSource();
            if (source != null) {
                String path = new File(source.getLocation().toURI()).getPath();
                if (!entries.contains(path)) {
                    entries.add(path);
                }
            }
        } catch (Exception ignored) {
            // fall back to the JVM's own class path below
        }
        entries.add(System.getProperty("java.class.path"));
        return String.join(File.pathSeparator, entries);
    }

    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            this.in = in;
            this.thread = new Thread(this, "kata-probe-drain");
            this.thread.setDaemon(true);
        }

        static Drain start(InputStream in) {
            Drain d = new Drain(in);
            d.thread.start();
            return d;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        int room = OUTPUT_CAP - kept.size();
                        if (room > 0) {
                            kept.write(buffer, 0, Math.min(room, n));
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }

        String text() {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
