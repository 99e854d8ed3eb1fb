package dev.kata.grader;

import java.util.List;

/** How to start a test JVM for one kata. */
record TestJvmSpec(
        int heapMb,
        int maxThreads,
        int outputCapBytes,
        long testTimeoutMs,
        List<String> extraJvmArgs,
        ClassDataArchive classDataArchive) {
}
