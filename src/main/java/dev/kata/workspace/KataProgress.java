package dev.kata.workspace;

import java.time.Instant;

/** A learner's record for one kata. Once passed, a kata stays passed whatever later checks say. */
public record KataProgress(
        ProgressStatus status,
        Instant startedAt,
        Instant solvedAt,
        int attempts,
        int hintsUsed,
        LastVerdict lastVerdict) {

    public static final KataProgress NONE = new KataProgress(ProgressStatus.NOT_STARTED, null, null, 0, 0, null);

    public KataProgress started(Instant now) {
        ProgressStatus next = status == ProgressStatus.NOT_STARTED ? ProgressStatus.IN_PROGRESS : status;
        return new KataProgress(next, startedAt == null ? now : startedAt, solvedAt, attempts, hintsUsed, lastVerdict);
    }

    public KataProgress checked(LastVerdict verdict) {
        boolean passed = status == ProgressStatus.PASSED || verdict.passed();
        return new KataProgress(
                passed ? ProgressStatus.PASSED : ProgressStatus.IN_PROGRESS,
                startedAt == null ? verdict.at() : startedAt,
                solvedAt == null && verdict.passed() ? verdict.at() : solvedAt,
                attempts + 1,
                hintsUsed,
                verdict);
    }

    public KataProgress withHintsUsed(int count) {
        return new KataProgress(status, startedAt, solvedAt, attempts, Math.max(hintsUsed, count), lastVerdict);
    }

    /** The status to show: a kata never recorded but whose files are in the workspace is in progress. */
    public ProgressStatus effectiveStatus(boolean filesExist) {
        return status == ProgressStatus.NOT_STARTED && filesExist ? ProgressStatus.IN_PROGRESS : status;
    }
}
