package dev.kata.probe.api;

import dev.kata.probe.races.Races;

/**
 * For hidden tests of katas that run with the race detector ({@code -Dkata.races=true}). By
 * default the detector counts every call into the learner's code as ordered after everything
 * other threads did before it, since the test's own hand-offs (a latch, a join) are out of its
 * sight: that can hide a race, never invent one.
 */
public final class RaceDetector {
    private RaceDetector() {
    }

    /**
     * Makes the calling thread, one of the test's own, ordered after other threads only by what
     * the learner's code does, from now on (what came before stays ordered before). Call it first
     * thing on a thread that only reads the learner's object, without waiting on the test's other
     * threads: a read that no lock, volatile field or hand-off in the learner's code orders after
     * another thread's write is then a race on every run, not only when it lands in the instant
     * the write is still unpublished. Harmless without the race detector.
     */
    public static void isolateCurrentThread() {
        Races.isolate();
    }
}
