package dev.kata.probe.api;

import java.lang.management.ManagementFactory;

/**
 * How long a hidden test waits before it calls the learner's code stuck. A wait that is generous
 * on a quiet machine is short on a laptop busy with other work, where a thread that has just been
 * woken can wait a long time for a core: so the wait stretches with the load per core.
 */
public final class Patience {
    private Patience() {
    }

    /**
     * {@code quietMillis} on a machine with a core to spare; on a busier one, that times the load
     * average per core, at most {@code maxMillis}.
     */
    public static long millis(long quietMillis, long maxMillis) {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        double factor = load < 0 ? 1.0 : Math.max(1.0, load / cores);
        return Math.max(quietMillis, Math.min(maxMillis, Math.round(quietMillis * factor)));
    }
}
