package dev.kata.probe.noise;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Timing noise in the learner's code: a short pause of random length at the points
 * {@link NoiseRewriter} marks (between reading a shared value and writing it back). A race whose
 * window is a few instructions wide, which stress alone hits once in thousands of runs, then loses
 * its update on nearly every run. Each thread pauses a bounded number of times, so correct code
 * is slowed by milliseconds at most. Public because the rewritten learner classes call it; nothing
 * else should.
 */
public final class Noise {
    /** Pauses per thread at most: a hot loop is slowed for its first few rounds only. */
    static final int PAUSES_PER_THREAD = 64;
    static final long MIN_PAUSE_NANOS = 100_000;
    static final long MAX_PAUSE_NANOS = 600_000;
    private static final ThreadLocal<int[]> PAUSED = ThreadLocal.withInitial(() -> new int[1]);

    /** Pauses after a start per thread at most: a loop starting thousands of workers is slowed for its first few. */
    static final int START_PAUSES_PER_THREAD = 4;
    /**
     * Long enough for a thread just started to run to its end, its own noise pauses included,
     * before the starter goes on: the started thread may have several of them.
     */
    static final long START_PAUSE_NANOS = 2_000_000;
    private static final ThreadLocal<int[]> STARTS_PAUSED = ThreadLocal.withInitial(() -> new int[1]);

    private Noise() {
    }

    /** Called by a rewritten learner class just after it started a thread or handed a task to an executor. */
    public static void afterStart() {
        int[] paused = STARTS_PAUSED.get();
        if (paused[0] >= START_PAUSES_PER_THREAD) {
            return;
        }
        paused[0]++;
        LockSupport.parkNanos(START_PAUSE_NANOS);
    }

    /** {@code Thread::start} as a rewritten learner class's method reference calls it ({@code threads.forEach(Thread::start)}). */
    public static void start(Thread thread) {
        thread.start();
        afterStart();
    }

    /** Called by a rewritten learner class where another thread's step would matter most. */
    public static void point() {
        int[] paused = PAUSED.get();
        if (paused[0] >= PAUSES_PER_THREAD) {
            return;
        }
        paused[0]++;
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(MIN_PAUSE_NANOS, MAX_PAUSE_NANOS));
    }
}
