package dev.kata.workspace;

import java.time.Instant;

/**
 * The outcome of the latest check of a kata, as progress remembers it.
 *
 * @param status  {@code pass} or {@code fail}
 * @param reason  the verdict reason id, or null on a pass
 * @param summary one line
 */
public record LastVerdict(String status, String reason, String summary, Instant at) {
    public boolean passed() {
        return "pass".equals(status);
    }
}
