package dev.kata.grader;

import java.nio.file.Path;

/**
 * Limits and places for grading.
 *
 * @param cacheDir        where the grader keeps class-data archives between runs (may be null: none kept)
 * @param heapMb          heap cap of the test JVM
 * @param maxThreads      platform threads the learner's code may have alive at once
 * @param outputCapBytes  output of the learner's code kept for the verdict; past 16 times this the test JVM is stopped
 * @param maxRestarts     fresh test JVMs a check may start after a test ended one (timeout, deadlock...);
 *                        the tests after that are reported as not run
 */
public record GraderSettings(Path cacheDir, int heapMb, int maxThreads, int outputCapBytes, int maxRestarts) {

    /** For a learner's check: later tests still run after one that hung, a few times over. */
    public static GraderSettings defaults(Path cacheDir) {
        return new GraderSettings(cacheDir, 256, 500, 64 * 1024, 3);
    }

    /**
     * For validating katas, where only the deciding (first) failure matters: stop at the first
     * test that ends the test JVM.
     */
    public GraderSettings failFast() {
        return new GraderSettings(cacheDir, heapMb, maxThreads, outputCapBytes, 0);
    }
}
