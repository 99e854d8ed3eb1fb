package dev.kata.probe;

import dev.kata.probe.api.Reason;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the running test from a thread of its own: ends it on timeout, on deadlock and on a
 * thread explosion, each with a report of the threads involved. JUnit's own timeouts cannot
 * stop a busy loop; ending the JVM can.
 */
final class Watchdog implements Runnable {
    private static final long TICK_MS = 20;
    /** The deadlock detector looks every this many ticks: about every 100 ms on a quiet machine. */
    private static final int LOOK_EVERY_TICKS = 5;
    /** A look that comes this many times later than planned does not count towards a deadlock. */
    private static final int LATE_FACTOR = 3;

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final DeadlockDetector deadlocks = new DeadlockDetector();
    private final int platformThreadsAtStart;

    private Watchdog() {
        this.platformThreadsAtStart = mx.getThreadCount();
    }

    static void start() {
        Thread t = new Thread(new Watchdog(), "kata-probe-watchdog");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        t.start();
    }

    @Override
    public void run() {
        TestRun watched = null;
        int ticks = 0;
        long lastLook = System.nanoTime();
        KernelThreads atStart = null;
        CpuAccount account = null;
        MachineLoad loadAtStart = null;
        long startedAtStart = 0;
        while (true) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            TestRun run = Probe.current;
            if (run != watched) {
                watched = run;
                deadlocks.reset();
                atStart = run == null ? null : KernelThreads.read();
                account = new CpuAccount(atStart);
                lastLook = System.nanoTime();
                ticks = 0;
                loadAtStart = run == null ? null : MachineLoad.now();
                startedAtStart = mx.getTotalStartedThreadCount();
            }
            checkThreadCount(run);
            if (run == null || run.phase != TestRun.Phase.RUNNING) {
                continue;
            }
            ticks++;
            // From half its limit on, a test's CPU use is followed, in case it runs over.
            if (run.elapsedMs() * 2 > run.timeoutMs && ticks % LOOK_EVERY_TICKS == 0) {
                KernelThreads now = KernelThreads.read();
                List<Thread> threads = Probe.threadsOf(run);
                Map<Integer, KernelThreads.Task> tasks = now == null ? null : watchedTasks(now, threads);
                account.update(now, threads, tasks == null ? Map.of() : tasks);
                if (run.elapsedMs() > run.timeoutMs) {
                    checkOverrun(run, atStart, tasks, account, loadAtStart,
                            mx.getTotalStartedThreadCount() - startedAtStart, this::confirmDeadlock);
                }
            }
            // The detector looks every few of its own ticks: it counts its own progress, not the clock's.
            if (ticks % LOOK_EVERY_TICKS == 0) {
                long now = System.nanoTime();
                // late: the detector itself was kept from the CPU, so the JVM's threads may have been too
                boolean onTime = now - lastLook <= LATE_FACTOR * LOOK_EVERY_TICKS * TICK_MS * 1_000_000;
                lastLook = now;
                lookForDeadlock(run, onTime);
            }
        }
    }

    private void lookForDeadlock(TestRun run, boolean onTime) {
        List<Thread> cycle = deadlocks.lockCycle();
        if (cycle != null && run.phase == TestRun.Phase.RUNNING) {
            List<ThreadSnapshot> threads = Probe.describe(cycle, 12);
            Probe.fatal(run, Reason.DEADLOCK, deadlockMessage(threads), Probe.firstLocation(threads), threads);
        }
        WaitSample sample = LiveWaits.look(run, onTime);
        if (sample == null) {
            deadlocks.reset();
            return;
        }
        boolean asleep = deadlocks.allAsleep(sample);
        if (asleep && run.phase == TestRun.Phase.RUNNING) {
            List<ThreadSnapshot> threads = Probe.describe(Probe.threadsOf(run), 12);
            Probe.fatal(run, Reason.DEADLOCK, deadlockMessage(threads), Probe.firstLocation(threads), threads);
        }
    }

    /**
     * Before a stuck test is ended as too slow: if it is a deadlock, say so. On a busy machine the
     * detector may not have had its looks yet; with the kernel's word, looks in quick succession
     * are proof all the same.
     */
    private void confirmDeadlock(TestRun run) {
        for (int i = 0; i < DeadlockDetector.LOOKS_WITH_KERNEL; i++) {
            lookForDeadlock(run, true);
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A test past its limit: ended as too slow, given more time on a starved machine, or called inconclusive. */
    private static void checkOverrun(TestRun run, KernelThreads atStart, Map<Integer, KernelThreads.Task> watched,
            CpuAccount account, MachineLoad loadAtStart, long threadsStarted, java.util.function.Consumer<TestRun> deadlockFirst) {
        MachineLoad load = MachineLoad.now();
        Overrun measured = use(run, atStart, watched, account);
        boolean busy = loadAtStart != null && (load.saturatedSince(loadAtStart) || measured.starved());
        // On a busy machine, a wait that misses threads (a pool per call, made and gone between two
        // readings) is no proof that the rest of the overrun is the code's.
        Overrun use = busy && account.missesThreads(threadsStarted) ? measured.waitKnownOnlyInPart() : measured;
        Overrun.Call call = use.judge(run.timeoutMs);
        if (call == Overrun.Call.WITHIN || call == Overrun.Call.WAIT) {
            return;
        }
        deadlockFirst.accept(run);
        String machine = loadAtStart == null ? "" : load.describeSince(loadAtStart);
        List<ThreadSnapshot> threads = Probe.describe(Probe.threadsOf(run), 12);
        if (call == Overrun.Call.TOO_SLOW) {
            String note = busy ? " (the machine was busy: " + machine + "; " + use.busyMachineNote(run.timeoutMs) + ")" : "";
            Probe.fatal(run, Reason.TIMEOUT, "still running after " + run.timeoutMs + " ms" + note + stuckWhere(threads),
                    Probe.firstLocation(threads), threads);
        } else {
            Probe.inconclusive(run, Reason.TIMEOUT, "ran past its " + run.timeoutMs + " ms limit, but the machine was"
                    + " too busy to tell whether your code is slow: in " + Overrun.seconds(use.wallMs()) + " its threads got "
                    + Overrun.seconds(use.cpuMs()) + " of CPU, and the test JVM's threads waited " + Overrun.seconds(use.cpuWaitMs())
                    + " for one ("
                    + machine + ")", Probe.firstLocation(threads), threads);
        }
    }

    /**
     * CPU time of the test's threads (and of the pool threads that run its tasks) since it began,
     * from their tasks as the kernel has just shown them ({@code watched}, null where it cannot be
     * read); the JVM's wait for a CPU and the test's idle time, from {@code account}.
     */
    private static Overrun use(TestRun run, KernelThreads atStart, Map<Integer, KernelThreads.Task> watched,
            CpuAccount account) {
        long wall = run.elapsedMs();
        if (atStart == null || watched == null) {
            return new Overrun(wall, 0, 0, wall);
        }
        Map<Integer, KernelThreads.Task> before = atStart.byTid();
        long cpu = 0;
        for (KernelThreads.Task t : watched.values()) {
            KernelThreads.Task b = before.get(t.tid());
            cpu += t.cpuNanos() - (b == null ? 0 : b.cpuNanos());
        }
        return new Overrun(wall, cpu / 1_000_000, account.waitMs(), account.idleMs());
    }

    /** The kernel's tasks of the test's threads and of the pool threads that could run their work. */
    private static Map<Integer, KernelThreads.Task> watchedTasks(KernelThreads now, List<Thread> testThreads) {
        List<Thread> threads = new ArrayList<>(testThreads);
        for (Thread t : ThreadCensus.liveThreads()) {
            if (!t.isVirtual() && ThreadCensus.isInfrastructure(t) && LiveWaits.couldWakeOthers(t)) {
                threads.add(t);
            }
        }
        Map<Integer, KernelThreads.Task> tasks = new HashMap<>();
        for (Thread t : threads) {
            if (!t.isVirtual()) {
                now.tasksOf(t.getName()).forEach(task -> tasks.put(task.tid(), task));
            }
        }
        return tasks;
    }

    private void checkThreadCount(TestRun run) {
        int live = mx.getThreadCount() - platformThreadsAtStart;
        if (live <= Probe.maxThreads) {
            return;
        }
        List<Thread> platform = new ArrayList<>();
        for (Thread t : Probe.userThreads()) {
            if (!t.isVirtual()) {
                platform.add(t);
            }
        }
        Map<String, Integer> byLocation = new HashMap<>();
        List<ThreadSnapshot> sample = Probe.describe(platform, 5);
        for (int i = 0; i < Math.min(platform.size(), 200); i++) {
            String loc = Probe.describer.location(platform.get(i).getStackTrace());
            byLocation.merge(loc == null ? "?" : loc, 1, Integer::sum);
        }
        String where = byLocation.entrySet().stream()
                .filter(e -> !e.getKey().equals("?"))
                .max(Map.Entry.comparingByValue())
                .map(e -> ", most of them started from " + e.getKey())
                .orElse("");
        Probe.fatal(run, Reason.TOO_MANY_THREADS,
                "more than " + Probe.maxThreads + " platform threads alive at once (" + live + ")" + where
                        + ". Use a bounded pool or virtual threads.",
                Probe.firstLocation(sample), sample);
    }

    private static String stuckWhere(List<ThreadSnapshot> threads) {
        return threads.isEmpty() ? "" : ": " + threads.get(0).describe();
    }

    private static String deadlockMessage(List<ThreadSnapshot> threads) {
        StringBuilder s = new StringBuilder();
        if (threads.size() == 1) {
            s.append("the only thread left is waiting for something no other thread will ever do: ")
                    .append(threads.get(0).describe());
        } else {
            s.append("all ").append(threads.size())
                    .append(" threads of this test are waiting, and none of them can wake the others: ")
                    .append(threads.get(0).describe());
        }
        return s.toString();
    }
}
