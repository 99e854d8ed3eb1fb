package dev.kata.probe.api;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap measurements for katas about retained memory: what is still reachable after the
 * collector has had every chance to free the rest.
 */
public final class Heap {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private Heap() {
    }

    /** Bytes of heap in use after forcing full collections until the figure settles. */
    public static long retainedBytes() {
        long previous = Long.MAX_VALUE;
        long used = usedAfterGc();
        for (int i = 0; i < 5 && used < previous; i++) {
            previous = used;
            used = usedAfterGc();
        }
        return Math.min(used, previous);
    }

    private static long usedAfterGc() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
