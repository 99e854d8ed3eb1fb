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

    private Noise() {
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
