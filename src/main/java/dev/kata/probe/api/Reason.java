package dev.kata.probe.api;

import java.util.Locale;

/**
 * Why a test, or a whole check, did not pass. The names are a public contract: they appear in
 * {@code kata check --json}, in progress exports and in {@code kata.toml}'s {@code pitfall} field.
 */
public enum Reason {
    /** The learner's file does not compile. */
    COMPILE_ERROR,
    /** The learner's file compiles, but the hidden tests need a class or method it no longer has. */
    API_MISMATCH,
    /** An assertion of a hidden test failed. */
    TEST_FAILURE,
    /** A test, or a thread it started, threw an unexpected exception. */
    EXCEPTION,
    /** A thread the learner started died with an uncaught exception. */
    WORKER_EXCEPTION,
    /** Shared state was corrupted by unsynchronised access (lost updates, double loads, torn reads). */
    RACE,
    /** Threads the test started were still alive after it ended. */
    LEAK,
    /** Work was lost: the caller returned (or main ended) before the work it started was done, or its failure was dropped. */
    LOST_WORK,
    /** A resource (file handle, scheduled task, memory, queue capacity) was not released or bounded. */
    RESOURCE_LEAK,
    /** Threads wait on each other (lock cycle), or every thread of the test sleeps with nothing to wake it. */
    DEADLOCK,
    /** A test ran past its time limit. */
    TIMEOUT,
    /** The learner's code called System.exit or Runtime.halt. */
    EXIT_CALLED,
    /** The test JVM ran out of heap. */
    OUT_OF_MEMORY,
    /** The learner's code started more platform threads than the grader allows. */
    TOO_MANY_THREADS,
    /** The learner's code printed more output than the grader keeps. */
    OUTPUT_FLOOD,
    /** The test JVM died for another reason. */
    CRASH,
    /** The test was not run, because an earlier test ended the test JVM and no time was left. */
    NOT_RUN,
    /** The check as a whole ran past its wall-clock limit. */
    CHECK_TIMEOUT;

    /** The contract name: lower case with dashes, e.g. {@code compile-error}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a contract name such as {@code compile-error}; returns null for an unknown one. */
    public static Reason fromId(String id) {
        if (id == null) {
            return null;
        }
        for (Reason r : values()) {
            if (r.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }
}
