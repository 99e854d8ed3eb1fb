package dev.kata.grader;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * How to start a test JVM for one kata; {@code archiveOutput} is null except for a training run.
 * {@code extraClassPath} follows the probe's class path (the model checker's jars, for the katas
 * whose tests use it).
 */
record TestJvmSpec(
        int heapMb,
        int maxThreads,
        int outputCapBytes,
        long testTimeoutMs,
        List<String> extraJvmArgs,
        List<Path> extraClassPath,
        ClassDataArchive classDataArchive,
        Path archiveOutput) {

    /** The same JVM, made to write its start-up archive to {@code pending} as it exits. */
    TestJvmSpec writingArchive(Path pending) {
        return new TestJvmSpec(heapMb, maxThreads, outputCapBytes, testTimeoutMs, extraJvmArgs, extraClassPath,
                classDataArchive, pending);
    }

    /** The same JVM with one more flag. */
    TestJvmSpec withJvmArg(String flag) {
        return new TestJvmSpec(heapMb, maxThreads, outputCapBytes, testTimeoutMs,
                Stream.concat(extraJvmArgs.stream(), Stream.of(flag)).toList(),
                extraClassPath, classDataArchive, archiveOutput);
    }

    /** The test JVM's class path: the probe's, then the extra entries. */
    String classPath() {
        StringBuilder path = new StringBuilder(ProbeClassPath.asString());
        for (Path p : extraClassPath) {
            path.append(java.io.File.pathSeparatorChar).append(p);
        }
        return path.toString();
    }

    List<String> archiveFlags() {
        if (classDataArchive == null) {
            return List.of();
        }
        return archiveOutput != null ? classDataArchive.writeFlags(archiveOutput) : classDataArchive.readFlags();
    }
}
