package dev.kata.daemon;

import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;
import java.io.Serializable;

/**
 * What the tutor's command line and its grader daemon say to each other over the socket: one
 * request from the command line, then the daemon's answers (the check's progress, then its end).
 */
sealed interface Message extends Serializable {
    /** Read by the daemon's filter: only these, the verdict's records and plain JDK values may come over the socket. */
    String ALLOWED = "dev.kata.daemon.*;dev.kata.grader.*;dev.kata.probe.api.Reason;java.lang.*;java.util.*;!*";

    /** Grade the files in {@code sourceDir} against kata {@code kataId} of the pack in {@code packDir}. */
    record Check(String packDir, String kataId, String sourceDir) implements Message {
    }

    /** Get ready for checks of this kata (a spare test JVM, javac warmed up); no answer. */
    record Prepare(String packDir, String kataId) implements Message {
    }

    record Phase(String name) implements Message {
    }

    record TestStarted(String name) implements Message {
    }

    record TestFinished(TestResult result) implements Message {
    }

    record Done(Verdict verdict) implements Message {
    }

    /** The daemon is grading another check: grade this one yourself. */
    record Busy() implements Message {
    }

    /** The daemon could not take the check (the kata did not load, say): grade it yourself. */
    record Refused(String why) implements Message {
    }
}
