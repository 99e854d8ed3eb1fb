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
        return LiveThreads.isJvmOrGrader(t);
    }
}
