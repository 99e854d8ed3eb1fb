package dev.kata.probe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long this JVM's threads waited for a CPU during one test, and since when none of the test's
 * threads has run or wanted a CPU, kept up from repeated readings of the kernel's counters so that
 * threads that ended midway still count. A test's threads may be held up by the JVM's own (a
 * safepoint waits for the VM thread, a pool's carrier runs its tasks), so the whole JVM is weighed
 * for the wait. The watchdog's own wake-ups and the JVM's periodic task are left out: they wait for
 * a CPU on a busy machine even when the test is stuck.
 *
 * <p>Idleness rests on the kernel's run counts, not on the state seen at each reading: on a busy
 * machine readings are rare, and a thread that runs in short bursts between sleeps (a ticker, a
 * worker pausing between tasks) is asleep at almost every one of them although it keeps running.
 */
final class CpuAccount {
    private static final Set<String> NOISE = Set.of(KernelThreads.taskName("kata-probe-watchdog"), "VM Periodic Tas",
            "Monitor Deflati");
    /**
     * Readings further apart than this prove nothing about the time between them: the watchdog
     * itself was kept from the CPU, and maybe the whole machine was (a virtual machine's host can
     * stop it for seconds), so threads that did not run may only have had no chance to. Idleness
     * then counts from the later reading. The watchdog reads every 100 ms on a quiet machine.
     */
    static final long MAX_READING_GAP_MS = 300;
    /** The JIT's threads come and go on their own and are no Java threads: not counted as the test's new threads. */
    private static final Set<String> JIT = Set.of("C1 CompilerThre", "C2 CompilerThre");

    private final Map<Integer, KernelThreads.Task> last = new HashMap<>();
    /** The run counts of the watched tasks at the last reading. */
    private Map<Integer, Long> watchedRuns = Map.of();
    private long waitNanos;
    /** Threads that a reading showed for the first time (none of them there at the start). */
    private int newThreadsSeen;
    /** When a reading last found a watched thread had run or wanted to since the one before; 0 before the first. */
    private long busyAtNanos;
    private long lastReadingNanos;

    CpuAccount(KernelThreads atStart) {
        if (atStart != null) {
            atStart.forEach((name, t) -> last.put(t.tid(), t));
        }
    }

    /**
     * Adds what happened since the last reading: {@code testThreads} are the test's threads now,
     * {@code watched} the kernel's tasks of those threads and of the pool threads that could run
     * their work.
     */
    void update(KernelThreads now, List<Thread> testThreads, Map<Integer, KernelThreads.Task> watched) {
        update(now, testThreads, watched, System.nanoTime());
    }

    void update(KernelThreads now, List<Thread> testThreads, Map<Integer, KernelThreads.Task> watched, long atNanos) {
        if (now == null) {
            return;
        }
        boolean unobserved = lastReadingNanos != 0 && atNanos - lastReadingNanos > MAX_READING_GAP_MS * 1_000_000;
        lastReadingNanos = atNanos;
        boolean[] wants = {busyAtNanos == 0 || unobserved};
        now.forEach((name, t) -> {
            KernelThreads.Task before = last.put(t.tid(), t);
            if (before == null && !JIT.contains(name)) {
                newThreadsSeen++;
            }
            if (!NOISE.contains(name)) {
                waitNanos += t.cpuWaitNanos() - (before == null ? 0 : before.cpuWaitNanos());
                wants[0] |= !t.asleep();
            }
        });
        for (Thread t : testThreads) {
            wants[0] |= t.isVirtual() && t.getState() == Thread.State.RUNNABLE;
        }
        Map<Integer, Long> runs = new HashMap<>();
        watched.forEach((tid, t) -> runs.put(tid, t.runs()));
        // a watched thread that ran, started or ended since the last reading moved (where the kernel counts runs)
        wants[0] |= !runs.containsValue(-1L) && !runs.equals(watchedRuns);
        watchedRuns = runs;
        if (wants[0]) {
            busyAtNanos = atNanos;
        }
    }

    long waitMs() {
        return waitNanos / 1_000_000;
    }

    /**
     * Whether {@link #waitMs} misses threads: of the {@code started} Java threads started since the
     * first reading, some ended before any reading saw them (a pool made and shut down between two
     * readings, say), and their wait for a CPU is not counted.
     */
    boolean missesThreads(long started) {
        return started > newThreadsSeen;
    }

    /**
     * How long none of the test's threads has run or wanted a CPU, as far as the readings show,
     * taken close enough together to show it.
     */
    long idleMs() {
        return idleMs(System.nanoTime());
    }

    long idleMs(long nowNanos) {
        return busyAtNanos == 0 ? 0 : (nowNanos - busyAtNanos) / 1_000_000;
    }
}
