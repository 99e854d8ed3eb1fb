package dev.kata.grader;

import dev.kata.probe.api.Reason;
import java.util.List;

/**
 * The outcome of one hidden test. {@code reason} is null when it passed; {@code location} is
 * the learner's line the failure points at, when there is one; {@code evidence} (may be null)
 * what a failure rests on, with the interleaving that breaks the code when it was model-checked.
 */
public record TestResult(
        String id,
        String name,
        Status status,
        Reason reason,
        String message,
        String location,
        List<ThreadReport> threads,
        long durationMs,
        Evidence evidence) implements java.io.Serializable {

    public TestResult(String id, String name, Status status, Reason reason, String message, String location,
            List<ThreadReport> threads, long durationMs) {
        this(id, name, status, reason, message, location, threads, durationMs, null);
    }

    public boolean passed() {
        return status == Status.PASS;
    }
}
