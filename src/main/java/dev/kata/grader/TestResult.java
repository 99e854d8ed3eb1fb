package dev.kata.grader;

import dev.kata.probe.api.Reason;
import java.util.List;

/**
 * The outcome of one hidden test. {@code reason} is null when it passed; {@code location} is
 * the learner's line the failure points at, when there is one.
 */
public record TestResult(
        String id,
        String name,
        Status status,
        Reason reason,
        String message,
        String location,
        List<ThreadReport> threads,
        long durationMs) {

    public boolean passed() {
        return status == Status.PASS;
    }
}
