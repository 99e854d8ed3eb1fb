package dev.kata.grader;

import java.nio.file.Path;

/**
 * Limits and places for grading.
 *
 * @param cacheDir        where the grader keeps class-data archives between runs (may be null: none kept)
 * @param heapMb          heap cap of the test JVM
 * @param maxThreads      platform threads the learner's code may have alive at once
 * @param outputCapBytes  output of the learner's code kept for the verdict; past 16 times this the test JVM is stopped
 */
public record GraderSettings(Path cacheDir, int heapMb, int maxThreads, int outputCapBytes) {

    public static GraderSettings defaults(Path cacheDir) {
        return new GraderSettings(cacheDir, 256, 500, 64 * 1024);
    }
}
