package dev.kata.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.TestPacks;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Status;
import dev.kata.grader.Verdict;
import dev.kata.probe.api.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grader daemon gives the command line the verdict it would have found itself, takes one check
 * at a time, ends when idle with nothing left running, and is only ever a shortcut: with none up,
 * or with it turned off, the command line grades by itself.
 */
class DaemonTest {
    private static final Kata KATA = new CatalogLoader().load(Path.of("src/test/resources/packs/mini")).require("sum-up");

    @TempDir
    Path temp;

    @Test
    void aDaemonGradesAsTheCommandLineWouldThenEndsWhenIdleLeavingNothingRunning() throws Exception {
        Path cache = temp.resolve("cache");
        DaemonAddress address = DaemonAddress.forThisTutor(cache);
        Thread serving = serve(address, cache, Duration.ofSeconds(3));
        DaemonClient client = new DaemonClient(address);

        List<String> heard = new CopyOnWriteArrayList<>();
        Verdict pass = client.check(KATA, KATA.solutionDir(), new CheckListener() {
            @Override
            public void phase(String name) {
                heard.add(name);
            }

            @Override
            public void testStarted(String name) {
                heard.add("started " + name);
            }
        });
        Verdict fail = client.check(KATA, KATA.starterDir(), CheckListener.NONE);

        assertNotNull(pass, "the daemon answers");
        assertTrue(pass.passed(), pass::toString);
        assertTrue(heard.containsAll(List.of("compiling", "testing")) && heard.stream().anyMatch(h -> h.startsWith("started ")),
                heard::toString);
        assertEquals(Status.FAIL, fail.status(), fail::toString);
        assertEquals(Reason.TEST_FAILURE, fail.reason(), fail::toString);
        serving.join(Duration.ofSeconds(60));
        assertFalse(serving.isAlive(), "idle for 3 s, it ends");
        assertFalse(Files.exists(address.socket()), "and removes its socket");
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "its spare test JVM is gone");
    }

    @Test
    void aCheckThatComesWhileAnotherRunsIsLeftToTheCommandLine() throws Exception {
        Path cache = temp.resolve("cache");
        DaemonAddress address = DaemonAddress.forThisTutor(cache);
        Kata kata = patientKata();
        Thread serving = serve(address, cache, Duration.ofSeconds(2));
        Path slow = slowAdder(5000);
        CountDownLatch testing = new CountDownLatch(1);
        Verdict[] first = new Verdict[1];
        Thread firstCheck = Thread.ofPlatform().start(() -> first[0] = new DaemonClient(address).check(kata, slow,
                new CheckListener() {
                    @Override
                    public void testStarted(String name) {
                        testing.countDown();
                    }
                }));
        assertTrue(testing.await(60, TimeUnit.SECONDS), "the first check reaches its test");

        assertNull(new DaemonClient(address).check(kata, kata.solutionDir(), CheckListener.NONE), "busy: no verdict");

        firstCheck.join(Duration.ofSeconds(60));
        assertTrue(first[0] != null && first[0].passed(), () -> String.valueOf(first[0]));
        serving.join(Duration.ofSeconds(60));
        assertFalse(serving.isAlive());
    }

    @Test
    void aCommandLineThatGoesAwayMidCheckCancelsItsCheck() throws Exception {
        Kata kata = patientKata(); // only a cancel can end the slow check early
        Path cache = temp.resolve("cache");
        DaemonAddress address = DaemonAddress.forThisTutor(cache);
        Thread serving = serve(address, cache, Duration.ofSeconds(2));
        Path slow = slowAdder(24_000);
        CountDownLatch testing = new CountDownLatch(1);
        Thread goingAway = Thread.ofPlatform().start(() -> new DaemonClient(address).check(kata, slow, new CheckListener() {
            @Override
            public void testStarted(String name) {
                testing.countDown();
            }
        }));
        assertTrue(testing.await(60, TimeUnit.SECONDS), "the slow check reaches its test");

        goingAway.interrupt(); // closes its socket, as the end of the command line's process would

        long start = System.nanoTime();
        Verdict next = null;
        while (next == null && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
            next = new DaemonClient(address).check(kata, kata.solutionDir(), CheckListener.NONE);
            if (next == null) {
                Thread.sleep(100);
            }
        }
        assertNotNull(next, "the daemon is free again long before the slow test would have ended");
        assertTrue(next.passed(), next::toString);
        serving.join(Duration.ofSeconds(60));
        assertFalse(serving.isAlive());
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "the slow check's JVM is gone");
    }

    @Test
    void withNoDaemonTheCommandLineGradesByItselfAndStartsOneThatEndsWhenIdle() throws Exception {
        Path cache = temp.resolve("cache");
        DaemonAddress address = DaemonAddress.forThisTutor(cache);
        String before = System.getProperty("kata.daemon.idleSeconds");
        System.setProperty("kata.daemon.idleSeconds", "4"); // handed to the daemon it starts
        try {
            CheckService service = CheckService.of(cache, Map.of());
            assertTrue(service.check(KATA, KATA.solutionDir(), CheckListener.NONE).passed());
            assertTrue(waitFor(() -> Files.exists(address.socket()), 60), "a daemon was started and listens");
            ProcessHandle daemon = daemonOf(cache);
            assertNotNull(daemon);

            Verdict second = new DaemonClient(address).check(KATA, KATA.starterDir(), CheckListener.NONE);

            assertNotNull(second, "the daemon it started takes the next check");
            assertEquals(Status.FAIL, second.status(), second::toString);
            assertTrue(daemon.onExit().get(60, TimeUnit.SECONDS) != null, "it ends when idle");
            assertFalse(Files.exists(address.socket()));
        } finally {
            restore(before);
            ProcessHandle left = daemonOf(cache);
            if (left != null) {
                left.descendants().forEach(ProcessHandle::destroyForcibly);
                left.destroyForcibly();
            }
        }
    }

    @Test
    void turnedOffNoDaemonIsStarted() throws Exception {
        Path cache = temp.resolve("cache");
        CheckService service = CheckService.of(cache, Map.of("KATA_DAEMON", "off"));

        assertTrue(service.check(KATA, KATA.solutionDir(), CheckListener.NONE).passed());
        service.prepare(KATA);

        Thread.sleep(500);
        assertNull(daemonOf(cache));
        try (var files = Files.list(cache)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("daemon-")));
        }
    }

    /** An Adder that takes {@code millis} to add, in a folder of its own. */
    private Path slowAdder(int millis) throws java.io.IOException {
        Path slow = Files.createDirectories(temp.resolve("slow"));
        Files.writeString(slow.resolve("Adder.java"), """
                package sumup;

                public final class Adder {
                    public static int add(int a, int b) {
                        try {
                            Thread.sleep(%d);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return a + b;
                    }
                }
                """.formatted(millis));
        return slow;
    }

    /** sum-up with a test limit of 25 s instead of 2 s, from a copy of its pack. */
    private Kata patientKata() throws java.io.IOException {
        Path pack = TestPacks.copyMini(temp.resolve("pack"));
        Path toml = pack.resolve("sum-up/kata.toml");
        Files.writeString(toml, Files.readString(toml).replace("test_timeout_ms = 2000", "test_timeout_ms = 25000"));
        return new CatalogLoader().load(pack).require("sum-up");
    }

    private static Thread serve(DaemonAddress address, Path cache, Duration idle) throws Exception {
        Thread serving = Thread.ofPlatform().name("daemon-under-test").start(() -> {
            try {
                GraderDaemon.run(address, cache, null, idle);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(waitFor(() -> Files.exists(address.socket()), 30), "the daemon listens");
        return serving;
    }

    /** The daemon process started for this cache folder, if any is alive. */
    private static ProcessHandle daemonOf(Path cache) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(GraderDaemon.class.getName())
                        && c.contains(cache.toString())).orElse(false))
                .findFirst().orElse(null);
    }

    private static boolean waitFor(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty("kata.daemon.idleSeconds");
        } else {
            System.setProperty("kata.daemon.idleSeconds", before);
        }
    }
}
