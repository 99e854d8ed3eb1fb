package dev.kata.workspace;

import java.util.Locale;

/** Where a learner is with one kata. */
public enum ProgressStatus {
    NOT_STARTED, IN_PROGRESS, PASSED;

    /** The contract name: {@code not-started}, {@code in-progress}, {@code passed}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a contract name; null for an unknown one. */
    public static ProgressStatus fromId(String id) {
        for (ProgressStatus status : values()) {
            if (status.id().equals(id)) {
                return status;
            }
        }
        return null;
    }
}
