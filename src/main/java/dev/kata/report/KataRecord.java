package dev.kata.report;

import dev.kata.workspace.ProgressStatus;
import java.time.Instant;

/**
 * One learner's record of one kata, as an export holds it.
 *
 * @param lastReason  the reason of the last check when it failed, else null
 * @param lastSummary the one-line summary of the last check, or null
 */
public record KataRecord(String id, String title, String trackTitle, ProgressStatus status, Instant startedAt,
                         Instant solvedAt, int attempts, int hintsUsed, String lastReason, String lastSummary) {
}
