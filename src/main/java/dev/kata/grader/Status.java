package dev.kata.grader;

/**
 * The outcome of a check or of one hidden test. {@code INCONCLUSIVE}: a limit was reached, or the
 * test JVM died, in a way the tutor cannot pin on the learner's code (the machine was saturated,
 * something outside killed it); the check should be run again rather than counted as a failure.
 */
public enum Status {
    PASS, FAIL, INCONCLUSIVE,
    /** A hidden test not run, for a reason that is no failure (its message says it), such as a model-checked test whose checker cannot follow the learner's code. */
    SKIPPED;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
