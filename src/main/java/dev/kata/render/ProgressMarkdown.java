package dev.kata.render;

import dev.kata.catalog.Track;
import dev.kata.workspace.KataProgress;
import dev.kata.workspace.KataState;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.ProgressStatus;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code kata progress --format markdown}: for a pull request or a wiki page, a table per track
 * with the gist of each last check; a failure too long for a cell is written out below the
 * tables, and its cell links to it.
 */
public final class ProgressMarkdown {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");
    static final int GIST = 100;

    private final ZoneId zone;

    public ProgressMarkdown(ZoneId zone) {
        this.zone = zone;
    }

    public String render(ProgressExport export) {
        List<KataState> states = export.states();
        StringBuilder md = new StringBuilder();
        Set<String> anchors = new HashSet<>();
        String title = "kata progress: " + Markdown.cell(export.learner());
        md.append("## ").append(title).append("\n\n");
        Markdown.anchor(title, anchors);
        md.append("Pack ").append(Markdown.cell(export.packName())).append(' ').append(Markdown.cell(export.packVersion()))
                .append(" · **").append(StatusMarks.count(states, ProgressStatus.PASSED)).append(" of ")
                .append(states.size()).append(" passed**, ")
                .append(StatusMarks.count(states, ProgressStatus.IN_PROGRESS)).append(" in progress, ")
                .append(StatusMarks.count(states, ProgressStatus.NOT_STARTED)).append(" not started · exported ")
                .append(MINUTE.withZone(zone).format(export.exportedAt())).append("\n");
        StringBuilder details = new StringBuilder();
        for (Track track : export.tracks()) {
            String heading = Markdown.cell(track.title());
            md.append("\n### ").append(heading).append("\n\n");
            Markdown.anchor(heading, anchors);
            md.append(Markdown.row(List.of("Kata", "Status", "Started", "Solved", "Checks", "Hints", "Last check")));
            md.append(Markdown.rule(List.of(false, false, false, false, true, true, false)));
            for (KataState state : export.inTrack(track)) {
                KataProgress record = state.record();
                md.append(Markdown.row(List.of(
                        "`" + state.kata().id() + "` " + Markdown.cell(state.kata().title()),
                        status(state.status()),
                        day(record.startedAt()),
                        day(record.solvedAt()),
                        String.valueOf(record.attempts()),
                        String.valueOf(record.hintsUsed()),
                        last(state, anchors, details))));
            }
        }
        if (!details.isEmpty()) {
            md.append("\n### Last failures in full\n");
            Markdown.anchor("Last failures in full", anchors);
            md.append(details);
        }
        return md.toString();
    }

    static String status(ProgressStatus status) {
        return switch (status) {
            case PASSED -> "✅ passed";
            case IN_PROGRESS -> "🔶 in progress";
            case NOT_STARTED -> "⬜ not started";
        };
    }

    /** The cell of the last check; a summary too long for it goes to {@code details}, and the cell links there. */
    private String last(KataState state, Set<String> anchors, StringBuilder details) {
        LastVerdict last = state.record().lastVerdict();
        if (last == null) {
            return "";
        }
        if (last.passed()) {
            return "pass";
        }
        String reason = "**" + Markdown.cell(last.reason() == null ? "fail" : last.reason()) + "**";
        if (last.summary() == null || last.summary().isBlank()) {
            return reason;
        }
        if (!Markdown.shortened(last.summary(), GIST)) {
            return reason + ": " + Markdown.cell(last.summary());
        }
        String heading = state.kata().id() + ": " + Markdown.cell(last.reason() == null ? "fail" : last.reason());
        String anchor = Markdown.anchor(heading, anchors);
        details.append("\n#### ").append(heading).append("\n\n")
                .append(Markdown.cell(state.kata().title()))
                .append(last.at() == null ? "" : ", last checked " + MINUTE.withZone(zone).format(last.at())).append(":\n\n")
                .append(Markdown.paragraph(last.summary()));
        return reason + ": " + Markdown.cell(Markdown.gist(last.summary(), GIST)) + " ([more](#" + anchor + "))";
    }

    private String day(Instant instant) {
        return instant == null ? "" : DAY.withZone(zone).format(instant);
    }
}
