package dev.kata.grader;

import dev.kata.probe.api.Reason;

/**
 * Why a test JVM ended on its own without a word from the probe, told only from what is known:
 * its exit status and its last output. (A JVM the tutor ended itself, at the check's time limit or
 * for flooding its output, is reported where it is ended; a {@code System.exit} is reported by the
 * probe's exit guard, and every finding of the probe comes with its own report.) What the tutor
 * cannot pin on the learner's code is inconclusive, not a failure.
 */
record JvmDeath(Status status, Reason reason, String message) {
    /** The status the probe halts the JVM with after writing its report (probe.Probe.FATAL_EXIT). */
    static final int PROBE_EXIT = 86;

    static JvmDeath of(int exitCode, String outputTail) {
        if (outputTail.contains("OutOfMemoryError")) {
            if (outputTail.contains("unable to create native thread")) {
                return new JvmDeath(Status.FAIL, Reason.TOO_MANY_THREADS,
                        "the test JVM could not start another thread: your code starts threads without bound."
                                + " Use a bounded pool or virtual threads.");
            }
            return new JvmDeath(Status.FAIL, Reason.OUT_OF_MEMORY,
                    "the test JVM ran out of memory: your code keeps more than the heap can hold."
                            + " Look for collections, queues or threads that grow without bound.");
        }
        if (outputTail.contains("A fatal error has been detected by the Java Runtime Environment")) {
            return new JvmDeath(Status.FAIL, Reason.CRASH,
                    "the test JVM crashed (a fatal error of the JVM itself, exit status " + exitCode + ").");
        }
        if (exitCode > 128) {
            int signal = exitCode - 128;
            if (signal == 9 || signal == 15) {
                return new JvmDeath(Status.INCONCLUSIVE, Reason.CRASH,
                        "the test JVM was killed by signal " + signal + " (" + (signal == 9 ? "SIGKILL" : "SIGTERM")
                                + ") from outside the tutor, in the middle of this test: another program, or the"
                                + " system running out of memory, ended it. Run the check again.");
            }
            return new JvmDeath(Status.FAIL, Reason.CRASH, "the test JVM was killed by signal " + signal + ".");
        }
        if (exitCode == PROBE_EXIT) {
            return new JvmDeath(Status.INCONCLUSIVE, Reason.CRASH,
                    "the probe stopped the test JVM in the middle of this test, but its report of why was lost."
                            + " Run the check again.");
        }
        if (exitCode == 0 || outputTail.contains("Exception in thread \"main\"")) {
            return new JvmDeath(Status.INCONCLUSIVE, Reason.CRASH,
                    "the test JVM ended with exit status " + exitCode + " in the middle of this test, without"
                            + " finishing it and without a report. Run the check again.");
        }
        // Status 1-128, no report from the probe, no error of the JVM's: the JVM was told to stop from
        // inside. System.exit would have been seen by the exit guard, so what is left is Runtime.halt.
        return new JvmDeath(Status.FAIL, Reason.EXIT_CALLED,
                "the test JVM stopped with exit status " + exitCode + " in the middle of this test, with no"
                        + " error of its own: your code ended it (Runtime.halt or System.exit), which ends the"
                        + " whole JVM. Return or throw instead.");
    }
}
