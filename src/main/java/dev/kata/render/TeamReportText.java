package dev.kata.render;

import dev.kata.report.KataRecord;
import dev.kata.report.LearnerExport;
import dev.kata.report.TeamReport;
import dev.kata.report.TeamReport.KataColumn;
import dev.kata.report.TeamReport.KataStats;
import dev.kata.report.TeamReport.Stuck;
import dev.kata.workspace.ProgressStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code kata report}: who solved what (a grid when it fits the terminal, else a line per learner),
 * where people get stuck, and who is stuck right now.
 */
public final class TeamReportText {
    private static final int STUCK_SHOWN = 10;

    private final Style style;
    private final int columns;

    public TeamReportText(Style style, int columns) {
        this.style = style;
        this.columns = columns;
    }

    public String render(TeamReport report) {
        StringBuilder out = new StringBuilder();
        List<LearnerExport> learners = report.learners();
        out.append(style.bold("Team report: " + learners.size() + (learners.size() == 1 ? " learner" : " learners")))
                .append(style.dim("  " + packs(learners))).append("\n\n");
        out.append(style.heading("Who solved what")).append(style.dim(style.marks("  ✔ solved  ▸ working on it  · not started;")
                + " the number is the checks made")).append('\n');
        String grid = grid(report);
        out.append(grid.lines().allMatch(l -> visibleLength(l) <= columns) ? grid : perLearner(report));
        out.append('\n');

        out.append(style.heading("Where people get stuck")).append(style.dim("  most checks first")).append('\n');
        if (report.stuckOn().isEmpty()) {
            out.append("  Nobody has started a kata yet.\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("kata", "solved", "working", "checks", "most checks", "hints", "last failures"));
            for (KataStats k : report.stuckOn()) {
                rows.add(List.of(k.id(), k.solved() + " of " + k.learners(), String.valueOf(k.working()),
                        String.valueOf(k.checks()), k.mostChecksBy() == null ? "-" : k.mostChecks() + " (" + k.mostChecksBy() + ")",
                        String.valueOf(k.hints()), failures(k.lastFailures())));
            }
            out.append(table(rows));
        }
        if (!report.stuck().isEmpty()) {
            out.append('\n').append(style.heading("Stuck right now")).append('\n');
            for (Stuck s : report.stuck().subList(0, Math.min(STUCK_SHOWN, report.stuck().size()))) {
                out.append("  ").append(style.bold(s.learner())).append(" on ").append(s.kataId()).append(": ")
                        .append(plural(s.checks(), "check")).append(", ").append(plural(s.hints(), "hint"))
                        .append(s.lastReason() == null ? "" : ", last check: " + style.yellow(s.lastReason()))
                        .append('\n');
            }
            if (report.stuck().size() > STUCK_SHOWN) {
                out.append(style.dim("  and " + (report.stuck().size() - STUCK_SHOWN) + " more")).append('\n');
            }
        }
        for (String note : report.notes()) {
            out.append('\n').append(style.yellow("Note: ")).append(note).append('\n');
        }
        return out.toString();
    }

    private String grid(TeamReport report) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of(""));
        report.katas().forEach(k -> header.add(k.id()));
        header.add("solved");
        rows.add(header);
        for (LearnerExport learner : report.learners()) {
            List<String> row = new ArrayList<>(List.of(learner.learner()));
            for (KataColumn kata : report.katas()) {
                row.add(cell(learner.kata(kata.id())));
            }
            row.add(learner.solved() + " of " + learner.katas().size());
            rows.add(row);
        }
        return table(rows);
    }

    private String perLearner(TeamReport report) {
        StringBuilder out = new StringBuilder();
        for (LearnerExport learner : report.learners()) {
            out.append("  ").append(style.bold(learner.learner())).append(style.dim("  " + learner.solved() + " of "
                    + learner.katas().size() + " solved")).append('\n');
            List<String> cells = new ArrayList<>();
            for (KataRecord k : learner.katas()) {
                cells.add(mark(k.status()) + " " + k.id() + (k.attempts() > 0 ? " " + k.attempts() : ""));
            }
            out.append(wrap(cells, "    ")).append('\n');
        }
        return out.toString();
    }

    private String wrap(List<String> cells, String indent) {
        StringBuilder out = new StringBuilder(indent);
        int width = indent.length();
        for (String cell : cells) {
            int length = visibleLength(cell) + 2;
            if (width + length > columns && width > indent.length()) {
                out.setLength(out.length() - 2);
                out.append('\n').append(indent);
                width = indent.length();
            }
            out.append(cell).append("  ");
            width += length;
        }
        return out.toString().stripTrailing();
    }

    private String cell(Optional<KataRecord> record) {
        if (record.isEmpty()) {
            return "";
        }
        KataRecord r = record.get();
        return mark(r.status()) + (r.attempts() > 0 ? " " + r.attempts() : "");
    }

    private String mark(ProgressStatus status) {
        return switch (status) {
            case PASSED -> style.passMark();
            case IN_PROGRESS -> style.yellow(style.marks("▸"));
            case NOT_STARTED -> style.dim(style.marks("·"));
        };
    }

    /** Rows of cells as aligned columns, two spaces apart, indented by two. */
    private static String table(List<List<String>> rows) {
        int n = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[n];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], visibleLength(row.get(i)));
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell).append(" ".repeat(widths[i] - visibleLength(cell) + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    static String failures(Map<String, Integer> failures) {
        return failures.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + " ×" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    static String packs(List<LearnerExport> learners) {
        List<String> packs = learners.stream().map(LearnerExport::pack).distinct().sorted().toList();
        return (packs.size() == 1 ? "pack " : "packs ") + String.join(", ", packs);
    }

    static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    /** The length on screen: without colour codes. */
    private static int visibleLength(String text) {
        return text.replaceAll("\u001B\\[[0-9;]*m", "").codePointCount(0, text.replaceAll("\u001B\\[[0-9;]*m", "").length());
    }
}
