package dev.kata.probe;

import dev.kata.probe.api.LiveThreads;
import java.util.List;

/**
 * The live threads the probe looks at ({@link LiveThreads}), and which of them are the JVM's or
 * the grader's own.
 */
final class ThreadCensus {
    private ThreadCensus() {
    }

    static boolean seesVirtualThreads() {
        return LiveThreads.seesVirtualThreads();
    }

    /** Every live thread of this JVM. */
    static List<Thread> liveThreads() {
        return LiveThreads.all();
    }

    /**
     * Threads that belong to the JVM or to the grader rather than to the learner or the test:
     * never reported as leaks and never counted as part of a deadlock.
     */
    static boolean isInfrastructure(Thread t) {
        String name = t.getName();
        if (name.startsWith("kata-probe")) {
            return true;
        }
        if (t.isVirtual()) {
            return isSocketSubPoller(t);
        }
        ThreadGroup group = t.getThreadGroup();
        String groupName = group == null ? "" : group.getName();
        if (groupName.equals("system") || groupName.equals("InnocuousThreadGroup")
                || groupName.equals("CarrierThreads")) {
            return true;
        }
        String type = t.getClass().getName();
        if (type.equals("jdk.internal.misc.CarrierThread") || type.startsWith("jdk.internal.misc.InnocuousThread")) {
            return true;
        }
        // JDK singletons that linger by design once anything has used them.
        return name.equals("CompletableFutureDelayScheduler") || name.endsWith("-delayScheduler")
                || (name.startsWith("ForkJoinPool.commonPool-worker") && isIdlePoolWorker(t));
    }

    /**
     * One of the JDK's socket pollers for virtual threads: virtual threads of its own, started the
     * first time a virtual thread waits on a socket, that live as long as the JVM.
     */
    private static boolean isSocketSubPoller(Thread t) {
        if (!t.getName().startsWith("SubPoller-")) {
            return false;
        }
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().equals("sun.nio.ch.Poller")) {
                return true;
            }
        }
        return false;
    }

    /** A pool worker parked waiting for work, with no task of anyone's on its stack. */
    private static boolean isIdlePoolWorker(Thread t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            String c = frame.getClassName();
            if (!(c.startsWith("java.util.concurrent.") || c.startsWith("jdk.internal.") || c.equals("java.lang.Thread"))) {
                return false;
            }
        }
        return true;
    }
}
