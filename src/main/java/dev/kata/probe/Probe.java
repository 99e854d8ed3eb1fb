package dev.kata.probe;

import dev.kata.probe.api.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the parts of the probe share inside the test JVM: where events go, how threads are
 * described, the limits, and the test running now. Set up once by {@link ProbeMain}.
 */
final class Probe {
    /** Exit status of a test JVM that the probe ended itself after a fatal finding. */
    static final int FATAL_EXIT = 86;

    private static final AtomicBoolean FATAL = new AtomicBoolean();

    static volatile EventLog events;
    static volatile ThreadDescriber describer;
    static volatile LearnerSources sources = LearnerSources.NONE;
    static volatile long defaultTimeoutMs = 5000;
    static volatile int maxThreads = 500;
    static volatile TestRun current;
    static volatile boolean finishing;
    /** Whether the tests after the first failing one are skipped (validating a mutant: any failure will do). */
    static volatile boolean stopAtFirstFailure;
    static volatile boolean failedOnce;
    /** Test classes run after the others (see {@link CheckerLastOrder}). */
    static volatile Set<String> checkerLast = Set.of();
    /** Model-checked test classes not run, because the model checker cannot follow the learner's code, and why. */
    static volatile Set<String> notModelChecked = Set.of();
    static volatile String notModelCheckedWhy;

    private Probe() {
    }

    /** Live threads that the learner's code or the hidden tests own. */
    static List<Thread> userThreads() {
        List<Thread> out = new ArrayList<>();
        for (Thread t : ThreadCensus.liveThreads()) {
            if (!ThreadCensus.isInfrastructure(t)) {
                out.add(t);
            }
        }
        return out;
    }

    static List<ThreadSnapshot> describe(List<Thread> threads, int max) {
        List<ThreadSnapshot> out = new ArrayList<>();
        for (Thread t : threads) {
            if (out.size() >= max) {
                break;
            }
            ThreadSnapshot snapshot = describer.describe(t);
            if (snapshot.state() != Thread.State.TERMINATED) {
                out.add(snapshot);
            }
        }
        return out;
    }

    /** The test thread and every thread the running test started. */
    static List<Thread> threadsOf(TestRun run) {
        List<Thread> out = new ArrayList<>();
        if (run.testThread != null && run.testThread.isAlive()) {
            out.add(run.testThread);
        }
        for (Thread t : userThreads()) {
            if (run.startedHere(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Reports a finding that the test JVM cannot recover from (a stuck or runaway test) and ends
     * the JVM at once: a stuck thread cannot be stopped any other way. The grader runs the
     * remaining tests in a fresh JVM.
     */
    static void fatal(TestRun run, Reason reason, String message, String location, List<ThreadSnapshot> threads) {
        if (!FATAL.compareAndSet(false, true)) {
            return;
        }
        events.write(fatalEvent(run, reason, message, location, threads));
        Runtime.getRuntime().halt(FATAL_EXIT);
    }

    /**
     * Ends the JVM as {@link #fatal} does, for a limit reached when the tutor cannot tell whether the
     * learner's code is at fault (the machine kept it from the CPU): the grader reports the test as
     * inconclusive, not failed.
     */
    static void inconclusive(TestRun run, Reason reason, String message, String location, List<ThreadSnapshot> threads) {
        if (!FATAL.compareAndSet(false, true)) {
            return;
        }
        Map<String, Object> e = fatalEvent(run, reason, message, location, threads);
        e.put("inconclusive", true);
        events.write(e);
        Runtime.getRuntime().halt(FATAL_EXIT);
    }

    /** The event that tells the grader why this JVM is ending in the middle of {@code run}. */
    static Map<String, Object> fatalEvent(TestRun run, Reason reason, String message, String location,
            List<ThreadSnapshot> threads) {
        Map<String, Object> e = Json.object();
        e.put("event", "fatal");
        e.put("id", run == null ? null : run.id);
        e.put("name", run == null ? null : run.name);
        e.put("reason", reason.id());
        e.put("message", message);
        e.put("location", location);
        e.put("threads", threads.stream().map(ThreadSnapshot::toJson).toList());
        e.put("durationMs", run == null ? 0 : run.elapsedMs());
        return e;
    }

    static String firstLocation(List<ThreadSnapshot> threads) {
        for (ThreadSnapshot s : threads) {
            if (s.location() != null) {
                return s.location();
            }
        }
        return null;
    }
}
