package dev.kata.cli;

import java.util.Iterator;
import java.util.List;

/**
 * Completion candidates for a kata id. The ids depend on the workspace the learner is in (a team
 * pack has its own), which a completion script written once cannot know, so the script asks
 * {@code kata list --ids} on every Tab: {@link CompletionCommand} swaps this marker for that call.
 */
public final class KataIds implements Iterable<String> {
    static final String MARKER = "@kata-ids@";

    @Override
    public Iterator<String> iterator() {
        return List.of(MARKER).iterator();
    }
}
