package dev.kata.grader;

import java.nio.file.Path;
import java.util.List;

/** How to start a test JVM for one kata; {@code archiveOutput} is null except for a training run. */
record TestJvmSpec(
        int heapMb,
        int maxThreads,
        int outputCapBytes,
        long testTimeoutMs,
        List<String> extraJvmArgs,
        ClassDataArchive classDataArchive,
        Path archiveOutput) {

    /** The same JVM, made to write its start-up archive to {@code pending} as it exits. */
    TestJvmSpec writingArchive(Path pending) {
        return new TestJvmSpec(heapMb, maxThreads, outputCapBytes, testTimeoutMs, extraJvmArgs, classDataArchive, pending);
    }

    List<String> archiveFlags() {
        if (classDataArchive == null) {
            return List.of();
        }
        return archiveOutput != null ? classDataArchive.writeFlags(archiveOutput) : classDataArchive.readFlags();
    }
}
