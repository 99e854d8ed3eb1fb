package dev.kata.report;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One learner's progress export ({@code kata progress --format json}), as read back.
 *
 * @param source     the file it came from, as the user named it
 * @param exportedAt when it was made, or null if the export does not say
 * @param katas      the records in the pack's order
 */
public record LearnerExport(String source, String learner, String packName, String packVersion, Instant exportedAt,
                            List<KataRecord> katas) {
    public LearnerExport {
        katas = List.copyOf(katas);
    }

    public Optional<KataRecord> kata(String id) {
        return katas.stream().filter(k -> k.id().equals(id)).findFirst();
    }

    public long solved() {
        return katas.stream().filter(k -> k.status() == dev.kata.workspace.ProgressStatus.PASSED).count();
    }

    public String pack() {
        return packName + " " + packVersion;
    }
}
