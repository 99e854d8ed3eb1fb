package dev.kata.probe;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a test that can no longer make progress, the way Go's runtime does ("all goroutines are
 * asleep"): the test thread and every other user thread waiting with no time limit, on something
 * only another of them could provide, with nothing having moved across several samples. Also
 * finds lock cycles through {@link ThreadMXBean#findDeadlockedThreads()}, which sees monitors and
 * j.u.c locks of platform threads but not hand-offs through queues.
 */
final class DeadlockDetector {
    /** Identical all-asleep samples needed before calling it a deadlock. */
    private static final int SAMPLES = 3;

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private String lastSignature;
    private int stableSamples;

    /** The threads of a deadlock found in this sample, or null. */
    List<Thread> sample(TestRun run) {
        List<Thread> cycle = lockCycle();
        if (cycle != null) {
            return cycle;
        }
        List<Thread> users = Probe.userThreads();
        if (run.testThread != null && !users.contains(run.testThread)) {
            users.add(run.testThread);
        }
        // Cheap test first: any thread that can still move ends the sample without stack walks.
        for (Thread t : users) {
            Thread.State s = t.getState();
            if (s != Thread.State.WAITING && s != Thread.State.BLOCKED) {
                reset();
                return null;
            }
        }
        StringBuilder signature = new StringBuilder();
        for (Thread t : users) {
            StackTraceElement[] stack = t.getStackTrace();
            ThreadSnapshot snap = Probe.describer.describe(t, stack);
            if (!waitsForever(snap, stack)) {
                reset();
                return null;
            }
            signature.append(snap.signature()).append('\n');
        }
        String sig = signature.toString();
        if (sig.equals(lastSignature)) {
            stableSamples++;
        } else {
            lastSignature = sig;
            stableSamples = 1;
        }
        if (stableSamples < SAMPLES) {
            return null;
        }
        return Probe.threadsOf(run);
    }

    void reset() {
        lastSignature = null;
        stableSamples = 0;
    }

    /** Waiting with no timeout, and not on I/O or another process, which could still wake it. */
    private static boolean waitsForever(ThreadSnapshot snap, StackTraceElement[] stack) {
        if (snap.state() != Thread.State.WAITING && snap.state() != Thread.State.BLOCKED) {
            return false;
        }
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.startsWith("sun.nio.ch.") || c.startsWith("java.net.") || c.startsWith("java.lang.ProcessImpl")
                    || c.startsWith("java.lang.ProcessHandleImpl") || c.startsWith("sun.net.")) {
                return false;
            }
        }
        return true;
    }

    private List<Thread> lockCycle() {
        long[] ids = mx.findDeadlockedThreads();
        if (ids == null) {
            return null;
        }
        Map<Long, Thread> byId = new HashMap<>();
        for (Thread t : ThreadCensus.liveThreads()) {
            byId.put(t.threadId(), t);
        }
        List<Thread> out = new ArrayList<>();
        for (long id : ids) {
            Thread t = byId.get(id);
            if (t != null && !ThreadCensus.isInfrastructure(t)) {
                // A thread in tryLock(timeout) is part of the cycle only until its wait runs out:
                // backing off is the cure, not the disease.
                if (t.getState() == Thread.State.TIMED_WAITING) {
                    return null;
                }
                out.add(t);
            }
        }
        return out.isEmpty() ? null : out;
    }
}
