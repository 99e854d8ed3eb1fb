package dev.kata.render;

import dev.kata.report.KataRecord;
import dev.kata.report.LearnerExport;
import dev.kata.report.TeamReport;
import dev.kata.report.TeamReport.KataColumn;
import dev.kata.report.TeamReport.KataStats;
import dev.kata.report.TeamReport.Stuck;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code kata report --format markdown}: the team report as tables for a wiki page or a pull request. */
public final class TeamReportMarkdown {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");

    private final ZoneId zone;

    public TeamReportMarkdown(ZoneId zone) {
        this.zone = zone;
    }

    public String render(TeamReport report) {
        StringBuilder md = new StringBuilder("## Team report\n\n");
        List<LearnerExport> learners = report.learners();
        md.append(TeamReportText.plural(learners.size(), "learner")).append(" · ")
                .append(Markdown.cell(TeamReportText.packs(learners))).append("\n\n");

        md.append("### Who solved what\n\n");
        List<String> header = new ArrayList<>(List.of("Learner"));
        report.katas().forEach(k -> header.add("`" + k.id() + "`"));
        header.add("Solved");
        header.add("Exported");
        md.append(Markdown.row(header));
        List<Boolean> right = new ArrayList<>(Collections.nCopies(header.size(), false));
        right.set(header.size() - 2, true);
        md.append(Markdown.rule(right));
        for (LearnerExport learner : learners) {
            List<String> row = new ArrayList<>(List.of(Markdown.cell(learner.learner())));
            for (KataColumn kata : report.katas()) {
                row.add(cell(learner.kata(kata.id())));
            }
            row.add(learner.solved() + " of " + learner.katas().size());
            row.add(learner.exportedAt() == null ? "" : DAY.withZone(zone).format(learner.exportedAt()));
            md.append(Markdown.row(row));
        }
        md.append("\n✅ solved · 🔶 working on it · ⬜ not started; the number is the checks made.\n\n");

        md.append("### Where people get stuck\n\n");
        if (report.stuckOn().isEmpty()) {
            md.append("Nobody has started a kata yet.\n");
        } else {
            md.append(Markdown.row(List.of("Kata", "Solved", "Working on it", "Checks", "Most checks", "Hints",
                    "Last failures")));
            md.append(Markdown.rule(List.of(false, true, true, true, false, true, false)));
            for (KataStats k : report.stuckOn()) {
                md.append(Markdown.row(List.of("`" + k.id() + "` " + Markdown.cell(k.title()),
                        k.solved() + " of " + k.learners(), String.valueOf(k.working()), String.valueOf(k.checks()),
                        k.mostChecksBy() == null ? "" : k.mostChecks() + " (" + Markdown.cell(k.mostChecksBy()) + ")",
                        String.valueOf(k.hints()), Markdown.cell(TeamReportText.failures(k.lastFailures())))));
            }
        }
        if (!report.stuck().isEmpty()) {
            md.append("\n### Stuck right now\n\n");
            Set<String> anchors = new HashSet<>(Set.of("team-report", "who-solved-what", "where-people-get-stuck",
                    "stuck-right-now", "last-failures-in-full"));
            StringBuilder details = new StringBuilder();
            for (Stuck s : report.stuck()) {
                md.append("- **").append(Markdown.cell(s.learner())).append("** on `").append(s.kataId()).append("`: ")
                        .append(TeamReportText.plural(s.checks(), "check")).append(", ")
                        .append(TeamReportText.plural(s.hints(), "hint"));
                if (s.lastReason() != null) {
                    md.append(", last check: **").append(Markdown.cell(s.lastReason())).append("**");
                    if (s.lastSummary() != null && !Markdown.shortened(s.lastSummary(), ProgressMarkdown.GIST)) {
                        md.append(" (").append(Markdown.cell(s.lastSummary())).append(')');
                    } else if (s.lastSummary() != null) {
                        String heading = Markdown.cell(s.learner()) + " on " + s.kataId();
                        String anchor = Markdown.anchor(heading, anchors);
                        md.append(" (").append(Markdown.cell(Markdown.gist(s.lastSummary(), ProgressMarkdown.GIST)))
                                .append(" [more](#").append(anchor).append("))");
                        details.append("\n#### ").append(heading).append("\n\n").append(Markdown.paragraph(s.lastSummary()));
                    }
                }
                md.append('\n');
            }
            if (!details.isEmpty()) {
                md.append("\n### Last failures in full\n").append(details);
            }
        }
        for (String note : report.notes()) {
            md.append("\n> ").append(Markdown.cell(note)).append('\n');
        }
        return md.toString();
    }

    private static String cell(Optional<KataRecord> record) {
        if (record.isEmpty()) {
            return "";
        }
        KataRecord r = record.get();
        String mark = switch (r.status()) {
            case PASSED -> "✅";
            case IN_PROGRESS -> "🔶";
            case NOT_STARTED -> "⬜";
        };
        return mark + (r.attempts() > 0 ? " " + r.attempts() : "");
    }
}
