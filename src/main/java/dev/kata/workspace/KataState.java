package dev.kata.workspace;

import dev.kata.catalog.Kata;
import java.util.List;

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
}
