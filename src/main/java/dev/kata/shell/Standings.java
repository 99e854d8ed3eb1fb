package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.workspace.KataState;
import dev.kata.workspace.ProgressStatus;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where the learner stands in the catalog: every kata's state as last read from progress and the
 * workspace, read again after {@link #forget()} (whenever something happened, not on spinner ticks).
 */
final class Standings {
    private final Supplier<List<KataState>> read;
    private List<KataState> cached;

    Standings(Supplier<List<KataState>> read) {
        this.read = read;
    }

    void forget() {
        cached = null;
    }

    List<KataState> states() {
        if (cached == null) {
            cached = read.get();
        }
        return cached;
    }

    /** The kata's place in the catalog, from 1; 0 when it is not in it. */
    int position(Kata kata) {
        List<KataState> states = states();
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).kata().id().equals(kata.id())) {
                return i + 1;
            }
        }
        return 0;
    }

    long passed() {
        return Celebration.passed(states());
    }

    boolean passed(Kata kata) {
        return states().stream().anyMatch(s -> s.kata().id().equals(kata.id()) && s.status() == ProgressStatus.PASSED);
    }

    /** The verdict of the kata's latest check as progress keeps it (a session before this one), or null. */
    dev.kata.workspace.LastVerdict lastVerdict(Kata kata) {
        return states().stream().filter(s -> s.kata().id().equals(kata.id())).findFirst()
                .map(s -> s.record().lastVerdict()).orElse(null);
    }

    /** The next kata not yet passed after {@code kata} in the catalog's order (wrapping round), or null. */
    Kata following(Kata kata) {
        List<KataState> states = states();
        int at = Math.max(0, position(kata) - 1);
        for (int step = 1; step <= states.size(); step++) {
            KataState s = states.get((at + step) % states.size());
            if (s.status() != ProgressStatus.PASSED) {
                return s.kata();
            }
        }
        return null;
    }
}
