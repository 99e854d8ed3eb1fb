package dev.kata.grader;

import dev.kata.probe.api.Reason;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Picks the reason a failing check reports. Hostile behaviour (exiting the JVM, exhausting it)
 * outranks everything; otherwise the first failing test in the kata's order speaks for the
 * check, since kata authors order tests from the pitfall's clearest symptom down.
 */
public final class VerdictReasons {
    private static final Set<Reason> HOSTILE = EnumSet.of(Reason.EXIT_CALLED, Reason.OUT_OF_MEMORY,
            Reason.TOO_MANY_THREADS, Reason.OUTPUT_FLOOD, Reason.CRASH);

    private VerdictReasons() {
    }

    /**
     * The failure that speaks for the check, or null when no test failed. Inconclusive tests are no
     * failure; tests not run after one are not either, since nothing failed before them.
     */
    public static TestResult deciding(List<TestResult> tests) {
        for (TestResult t : tests) {
            if (failed(t) && HOSTILE.contains(t.reason())) {
                return t;
            }
        }
        for (TestResult t : tests) {
            if (failed(t) && t.reason() != Reason.NOT_RUN) {
                return t;
            }
        }
        if (inconclusive(tests) != null) {
            return null;
        }
        for (TestResult t : tests) {
            if (failed(t)) {
                return t;
            }
        }
        return null;
    }

    /** The first test the tutor could not judge, or null. */
    public static TestResult inconclusive(List<TestResult> tests) {
        for (TestResult t : tests) {
            if (t.status() == Status.INCONCLUSIVE) {
                return t;
            }
        }
        return null;
    }

    private static boolean failed(TestResult t) {
        return t.status() == Status.FAIL;
    }
}
