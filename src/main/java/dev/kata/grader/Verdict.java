package dev.kata.grader;

import dev.kata.probe.api.Reason;
import java.util.List;

/**
 * What a check found. {@code reason} is null on a pass; otherwise the reason of the failure
 * that matters most (see {@link VerdictReasons}). {@code diagnostics} are set for a compile
 * error or an API mismatch, {@code tests} once the hidden tests ran. {@code output} is what the
 * learner's code printed, capped.
 */
public record Verdict(
        String kataId,
        Status status,
        Reason reason,
        String summary,
        List<CompileDiagnostic> diagnostics,
        List<TestResult> tests,
        String output,
        long durationMs) implements java.io.Serializable {

    public boolean passed() {
        return status == Status.PASS;
    }
}
