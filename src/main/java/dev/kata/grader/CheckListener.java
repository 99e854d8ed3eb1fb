package dev.kata.grader;

/** Hears a check's progress, for a spinner or a live per-test line. All methods are optional. */
public interface CheckListener {
    CheckListener NONE = new CheckListener() {
    };

    /** A phase began: "compiling", "testing". */
    default void phase(String name) {
    }

    default void testStarted(String name) {
    }

    default void testFinished(TestResult result) {
    }
}
