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

    public static TestResult deciding(List<TestResult> tests) {
        for (TestResult t : tests) {
            if (!t.passed() && HOSTILE.contains(t.reason())) {
                return t;
            }
        }
        for (TestResult t : tests) {
            if (!t.passed() && t.reason() != Reason.NOT_RUN) {
                return t;
            }
        }
        for (TestResult t : tests) {
            if (!t.passed()) {
                return t;
            }
        }
        return null;
    }
}
