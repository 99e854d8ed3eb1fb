package dev.kata.probe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long this JVM's threads waited for a CPU during one test, and when the test's own threads
 * last wanted one, kept up from repeated readings of the kernel's counters so that threads that
 * ended midway still count. The watchdog's own wake-ups and the JVM's periodic task are left out:
 * they wait for a CPU on a busy machine even when the test is stuck.
 */
final class CpuAccount {
    private static final Set<String> NOISE = Set.of(KernelThreads.taskName("kata-probe-watchdog"), "VM Periodic Tas");

    private final Map<Integer, KernelThreads.Task> last = new HashMap<>();
    private long waitNanos;
    private long busyAtNanos;

    CpuAccount(KernelThreads atStart) {
        if (atStart != null) {
            atStart.forEach((name, t) -> last.put(t.tid(), t));
        }
        busyAtNanos = System.nanoTime();
    }

    /** Adds what happened since the last reading; {@code testThreads} are the test's threads now. */
    void update(KernelThreads now, List<Thread> testThreads) {
        if (now == null) {
            return;
        }
        now.forEach((name, t) -> {
            KernelThreads.Task before = last.put(t.tid(), t);
            if (!NOISE.contains(name)) {
                waitNanos += t.cpuWaitNanos() - (before == null ? 0 : before.cpuWaitNanos());
            }
        });
        for (Thread t : testThreads) {
            boolean wants = t.isVirtual() ? t.getState() == Thread.State.RUNNABLE
                    : now.tasksOf(t.getName()).stream().anyMatch(task -> !task.asleep());
            if (wants) {
                busyAtNanos = System.nanoTime();
                return;
            }
        }
    }

    long waitMs() {
        return waitNanos / 1_000_000;
    }

    /** How long none of the test's threads has wanted a CPU, as far as the readings show. */
    long idleMs() {
        return (System.nanoTime() - busyAtNanos) / 1_000_000;
    }
}
