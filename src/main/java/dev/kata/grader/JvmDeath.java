package dev.kata.grader;

import dev.kata.probe.api.Reason;

/** Why a test JVM ended without a word from the probe, told from its exit status and last output. */
record JvmDeath(Reason reason, String message) {

    static JvmDeath of(int exitCode, String outputTail) {
        if (outputTail.contains("OutOfMemoryError")) {
            if (outputTail.contains("unable to create native thread")) {
                return new JvmDeath(Reason.TOO_MANY_THREADS,
                        "the test JVM could not start another thread: your code starts threads without bound."
                                + " Use a bounded pool or virtual threads.");
            }
            return new JvmDeath(Reason.OUT_OF_MEMORY,
                    "the test JVM ran out of memory: your code keeps more than the heap can hold."
                            + " Look for collections, queues or threads that grow without bound.");
        }
        if (exitCode > 128) {
            return new JvmDeath(Reason.CRASH, "the test JVM was killed by signal " + (exitCode - 128) + ".");
        }
        return new JvmDeath(Reason.EXIT_CALLED,
                "the test JVM stopped with exit status " + exitCode + " in the middle of this test:"
                        + " your code called Runtime.halt or System.exit, which ends the whole JVM."
                        + " Return or throw instead.");
    }
}
