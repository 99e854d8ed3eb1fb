package dev.kata.workspace;

import dev.kata.catalog.Kata;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/** A kata with the learner's record of it and the status to show (see {@link KataProgress#effectiveStatus}). */
public record KataState(Kata kata, KataProgress record, ProgressStatus status) {

    /** Every kata of the list, in order; with no workspace, all are not started. */
    public static List<KataState> of(List<Kata> katas, Progress progress, Workspace workspace) {
        return katas.stream().map(kata -> {
            KataProgress record = progress.of(kata.id());
            boolean filesExist = workspace != null && workspace.isStarted(kata);
            return new KataState(kata, record, record.effectiveStatus(filesExist));
        }).toList();
    }

    /**
     * The kata the learner is on: of those in progress, the one started or checked last (so a kata
     * started out of order is the current one), else the first not yet passed; empty when all passed.
     */
    public static Optional<KataState> current(List<KataState> states) {
        Optional<KataState> lastTouched = states.stream()
                .filter(s -> s.status() == ProgressStatus.IN_PROGRESS)
                .filter(s -> s.touched() != null)
                .max(Comparator.comparing(KataState::touched));
        return lastTouched.or(() -> states.stream().filter(s -> s.status() != ProgressStatus.PASSED).findFirst());
    }

    private Instant touched() {
        return Stream.of(record.startedAt(), record.lastVerdict() == null ? null : record.lastVerdict().at())
                .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    }
}
