package dev.kata.report;

import dev.kata.workspace.ProgressStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Several learners' exports merged: who solved what, and where people get stuck (most checks,
 * most hints). Katas are in the order the exports list them; learners in the order of their names.
 *
 * @param learners one export per learner (the newest when a learner sent several)
 * @param katas    every kata any export names, in order: id and title
 * @param stuckOn  the katas anyone started, the hardest first
 * @param stuck    learners working on a kata they have not solved yet, most checks first
 * @param notes    what the reader should know: exports replaced by newer ones, mixed packs
 */
public record TeamReport(List<LearnerExport> learners, List<KataColumn> katas, List<KataStats> stuckOn,
                         List<Stuck> stuck, List<String> notes) {

    /** A kata as the report lists it. */
    public record KataColumn(String id, String title) {
    }

    /**
     * How the team fares on one kata.
     *
     * @param learners       learners whose pack has this kata
     * @param started        of those, who started it (solved or not)
     * @param solved         who solved it
     * @param checks         checks made by everyone
     * @param hints          hints taken by everyone
     * @param mostChecks     the most checks one learner made
     * @param mostChecksBy   who made them
     * @param lastFailures   among those still on it: the reason of their last failing check, and how many
     */
    public record KataStats(String id, String title, int learners, int started, int solved, int checks, int hints,
                            int mostChecks, String mostChecksBy, Map<String, Integer> lastFailures) {
        public int working() {
            return started - solved;
        }
    }

    /** A learner on a kata not solved yet. */
    public record Stuck(String learner, String kataId, int checks, int hints, Instant startedAt, String lastReason,
                        String lastSummary) {
    }

    public static TeamReport of(List<LearnerExport> exports) {
        List<String> notes = new ArrayList<>();
        Map<String, LearnerExport> byLearner = new LinkedHashMap<>();
        for (LearnerExport export : exports) {
            LearnerExport before = byLearner.get(export.learner());
            if (before == null) {
                byLearner.put(export.learner(), export);
                continue;
            }
            LearnerExport newer = newer(before, export);
            LearnerExport older = newer == before ? export : before;
            byLearner.put(export.learner(), newer);
            notes.add(older.source() + " and " + newer.source() + " are both " + export.learner()
                    + "'s: the report uses " + newer.source() + (newer.exportedAt() == null ? "" : ", the newer one") + ".");
        }
        List<LearnerExport> learners = byLearner.values().stream()
                .sorted(Comparator.comparing((LearnerExport e) -> e.learner().toLowerCase(java.util.Locale.ROOT))
                        .thenComparing(LearnerExport::learner))
                .toList();
        Map<String, Long> packs = learners.stream()
                .collect(Collectors.groupingBy(LearnerExport::pack, TreeMap::new, Collectors.counting()));
        if (packs.size() > 1) {
            notes.add("The exports come from different packs: " + packs.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "))
                    + ". A kata missing from someone's pack is left blank.");
        }

        Map<String, KataColumn> katas = new LinkedHashMap<>();
        for (LearnerExport learner : exports) {
            for (KataRecord k : learner.katas()) {
                katas.putIfAbsent(k.id(), new KataColumn(k.id(), k.title()));
            }
        }
        List<KataStats> stats = new ArrayList<>();
        List<Stuck> stuck = new ArrayList<>();
        for (KataColumn kata : katas.values()) {
            int inPack = 0;
            int started = 0;
            int solved = 0;
            int checks = 0;
            int hints = 0;
            int most = 0;
            String mostBy = null;
            Map<String, Integer> failures = new TreeMap<>();
            for (LearnerExport learner : learners) {
                Optional<KataRecord> found = learner.kata(kata.id());
                if (found.isEmpty()) {
                    continue;
                }
                KataRecord r = found.get();
                inPack++;
                checks += r.attempts();
                hints += r.hintsUsed();
                if (r.attempts() > most) {
                    most = r.attempts();
                    mostBy = learner.learner();
                }
                if (r.status() == ProgressStatus.NOT_STARTED) {
                    continue;
                }
                started++;
                if (r.status() == ProgressStatus.PASSED) {
                    solved++;
                } else {
                    if (r.lastReason() != null) {
                        failures.merge(r.lastReason(), 1, Integer::sum);
                    }
                    stuck.add(new Stuck(learner.learner(), kata.id(), r.attempts(), r.hintsUsed(), r.startedAt(),
                            r.lastReason(), r.lastSummary()));
                }
            }
            if (started > 0) {
                stats.add(new KataStats(kata.id(), kata.title(), inPack, started, solved, checks, hints, most, mostBy,
                        failures));
            }
        }
        stats.sort(Comparator.comparingInt(KataStats::checks).reversed()
                .thenComparing(Comparator.comparingInt(KataStats::hints).reversed())
                .thenComparing(Comparator.comparingInt(KataStats::working).reversed()));
        stuck.sort(Comparator.comparingInt(Stuck::checks).reversed()
                .thenComparing(Comparator.comparingInt(Stuck::hints).reversed())
                .thenComparing(Stuck::learner));
        return new TeamReport(learners, List.copyOf(katas.values()), stats, stuck, notes);
    }

    private static LearnerExport newer(LearnerExport a, LearnerExport b) {
        if (a.exportedAt() == null) {
            return b;
        }
        if (b.exportedAt() == null) {
            return a;
        }
        return b.exportedAt().isAfter(a.exportedAt()) ? b : a;
    }
}
