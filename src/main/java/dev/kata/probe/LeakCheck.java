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
                .append(". Every thread you start must finish (or be stopped) before the call that started it returns.");
        throw new DetectedFailure(Reason.LEAK, message.toString(), Probe.firstLocation(threads), threads);
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
