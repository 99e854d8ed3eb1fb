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
    private static final long DEADLOCK_EVERY_MS = 100;

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
        long lastDeadlockCheck = 0;
        TestRun watched = null;
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
            }
            checkThreadCount(run);
            if (run == null || run.phase != TestRun.Phase.RUNNING) {
                continue;
            }
            if (run.elapsedMs() > run.timeoutMs) {
                List<ThreadSnapshot> threads = Probe.describe(Probe.threadsOf(run), 12);
                Probe.fatal(run, Reason.TIMEOUT,
                        "still running after " + run.timeoutMs + " ms" + stuckWhere(threads),
                        Probe.firstLocation(threads), threads);
            }
            long now = System.nanoTime() / 1_000_000;
            if (now - lastDeadlockCheck >= DEADLOCK_EVERY_MS) {
                lastDeadlockCheck = now;
                List<Thread> stuck = deadlocks.sample(run);
                if (stuck != null && run.phase == TestRun.Phase.RUNNING) {
                    List<ThreadSnapshot> threads = Probe.describe(stuck, 12);
                    Probe.fatal(run, Reason.DEADLOCK, deadlockMessage(threads), Probe.firstLocation(threads), threads);
                }
            }
        }
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
