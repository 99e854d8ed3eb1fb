package dev.kata.probe;

import dev.kata.probe.api.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * After a test: threads it started that are still alive, given a short while to finish (threads
 * that are shutting down get the benefit of the doubt, as in goleak's retries).
 */
final class LeakCheck {
    private static final long SETTLE_MS = 500;

    private LeakCheck() {
    }

    static void verify(TestRun run) {
        List<Thread> leaked = survivors(run);
        long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
        long pause = 1;
        while (!leaked.isEmpty() && System.nanoTime() < deadline) {
            sleep(pause);
            pause = Math.min(pause * 2, 100);
            leaked = survivors(run);
        }
        if (leaked.isEmpty()) {
            return;
        }
        List<ThreadSnapshot> threads = Probe.describe(leaked, 10);
        String count = leaked.size() == 1 ? "1 thread" : leaked.size() + " threads";
        StringBuilder message = new StringBuilder(count)
                .append(" started by this test ")
                .append(leaked.size() == 1 ? "is" : "are")
                .append(" still alive after it ended")
                .append(leaked.size() == 1 ? ": " : ", e.g. ")
                .append(threads.get(0).describe())
                .append(". ")
                .append(advice(leaked));
        throw new DetectedFailure(Reason.LEAK, message.toString(), Probe.firstLocation(threads), threads);
    }

    /** Idle pool and timer threads mean a scheduler nobody shut down, not a stuck task. */
    private static String advice(List<Thread> leaked) {
        for (Thread t : leaked) {
            for (StackTraceElement f : t.getStackTrace()) {
                String c = f.getClassName();
                if (c.endsWith("ScheduledThreadPoolExecutor$DelayedWorkQueue") || c.equals("java.util.TimerThread")) {
                    return "A scheduler or timer was never shut down: its pending tasks keep it alive."
                            + " Cancel the tasks and shut it down when you are done.";
                }
                if (f.getMethodName().equals("getTask") && c.endsWith("ThreadPoolExecutor")) {
                    return "An executor was never shut down: its idle workers wait for tasks forever."
                            + " Shut it down (or use try-with-resources on ExecutorService) when you are done.";
                }
            }
        }
        return "Every thread you start must finish (or be stopped) before the call that started it returns.";
    }

    /**
     * For a test that already failed: the threads it left running, without waiting for them,
     * to show beside the failure (where the learner's threads are stuck explains most failures).
     */
    static List<ThreadSnapshot> leftRunning(TestRun run) {
        return Probe.describe(survivors(run), 10);
    }

    private static List<Thread> survivors(TestRun run) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Probe.userThreads()) {
            if (run.startedHere(t) && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
