package dev.kata.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The hidden test that is running now: when it began, on which thread, and what it left behind. */
final class TestRun {
    enum Phase { RUNNING, CHECKING }

    /** An uncaught exception that ended a thread during this test. */
    record Uncaught(Thread thread, Throwable error) {
    }

    final String id;
    final String name;
    final long startNanos = System.nanoTime();
    /** Platform threads started in this JVM so far, when the test began: to count the test's. */
    private final long startedBefore = THREADS.getTotalStartedThreadCount();
    volatile long timeoutMs;
    volatile Thread testThread;
    volatile Set<Long> baseline = Set.of();
    volatile OpenFiles.Snapshot openFiles = OpenFiles.Snapshot.NONE;
    /** The learner's line that used a file this test left open, when the test failed by itself; else null. */
    volatile String leakedFileLine;
    /** Where {@link dev.kata.probe.noise.Collisions} stood when the test began. */
    volatile long collisions;
    volatile long races;
    volatile Phase phase = Phase.RUNNING;
    /** Threads a failed test left running, shown with its failure. */
    volatile List<ThreadSnapshot> leftRunning = List.of();
    private final List<Uncaught> uncaught = new ArrayList<>();

    TestRun(String id, String name, long timeoutMs) {
        this.id = id;
        this.name = name;
        this.timeoutMs = timeoutMs;
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** Platform threads started since the test began (its own, and any the JDK started for it). */
    long threadsStarted() {
        return THREADS.getTotalStartedThreadCount() - startedBefore;
    }

    long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** True for threads this test started: alive now, absent when it began. */
    boolean startedHere(Thread t) {
        return t != testThread && !baseline.contains(t.threadId());
    }

    synchronized void recordUncaught(Thread t, Throwable e) {
        uncaught.add(new Uncaught(t, e));
    }

    synchronized List<Uncaught> uncaught() {
        return List.copyOf(uncaught);
    }
}
