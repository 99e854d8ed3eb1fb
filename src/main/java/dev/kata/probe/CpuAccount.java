package dev.kata.probe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long this JVM's threads waited for a CPU during one test, and since when none of them has
 * wanted one, kept up from repeated readings of the kernel's counters so that threads that ended
 * midway still count. A test's threads may be held up by the JVM's own (a safepoint waits for the
 * VM thread, a pool's carrier runs its tasks), so the whole JVM is weighed. The watchdog's own
 * wake-ups and the JVM's periodic task are left out: they wait for a CPU on a busy machine even
 * when the test is stuck.
 */
final class CpuAccount {
    private static final Set<String> NOISE = Set.of(KernelThreads.taskName("kata-probe-watchdog"), "VM Periodic Tas",
            "Monitor Deflati");

    private final Map<Integer, KernelThreads.Task> last = new HashMap<>();
    private long waitNanos;
    /** When a reading last found a thread of this JVM runnable; 0 before the first reading. */
    private long busyAtNanos;

    CpuAccount(KernelThreads atStart) {
        if (atStart != null) {
            atStart.forEach((name, t) -> last.put(t.tid(), t));
        }
    }

    /** Adds what happened since the last reading; {@code testThreads} are the test's threads now. */
    void update(KernelThreads now, List<Thread> testThreads) {
        if (now == null) {
            return;
        }
        boolean[] wants = {busyAtNanos == 0};
        now.forEach((name, t) -> {
            KernelThreads.Task before = last.put(t.tid(), t);
            if (!NOISE.contains(name)) {
                waitNanos += t.cpuWaitNanos() - (before == null ? 0 : before.cpuWaitNanos());
                wants[0] |= !t.asleep();
            }
        });
        for (Thread t : testThreads) {
            wants[0] |= t.isVirtual() && t.getState() == Thread.State.RUNNABLE;
        }
        if (wants[0]) {
            busyAtNanos = System.nanoTime();
        }
    }

    long waitMs() {
        return waitNanos / 1_000_000;
    }

    /** How long none of the JVM's threads has run or wanted a CPU, as far as the readings show. */
    long idleMs() {
        return busyAtNanos == 0 ? 0 : (System.nanoTime() - busyAtNanos) / 1_000_000;
    }
}
