package dev.kata.render;

import dev.kata.catalog.Track;
import dev.kata.workspace.KataProgress;
import dev.kata.workspace.KataState;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.ProgressStatus;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@code kata progress --format markdown}: a table for a pull request or a wiki page. */
public final class ProgressMarkdown {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");

    private final ZoneId zone;

    public ProgressMarkdown(ZoneId zone) {
        this.zone = zone;
    }

    public String render(ProgressExport export) {
        List<KataState> states = export.states();
        StringBuilder md = new StringBuilder();
        md.append("## kata progress: ").append(Markdown.cell(export.learner())).append("\n\n");
        md.append("Pack ").append(Markdown.cell(export.packName())).append(' ').append(Markdown.cell(export.packVersion()))
                .append(" · **").append(StatusMarks.count(states, ProgressStatus.PASSED)).append(" of ")
                .append(states.size()).append(" passed**, ")
                .append(StatusMarks.count(states, ProgressStatus.IN_PROGRESS)).append(" in progress, ")
                .append(StatusMarks.count(states, ProgressStatus.NOT_STARTED)).append(" not started · exported ")
                .append(MINUTE.withZone(zone).format(export.exportedAt())).append("\n\n");
        md.append(Markdown.row(List.of("Kata", "Track", "Status", "Started", "Solved", "Checks", "Hints", "Last check")));
        md.append(Markdown.rule(List.of(false, false, false, false, false, true, true, false)));
        for (Track track : export.tracks()) {
            for (KataState state : export.inTrack(track)) {
                KataProgress record = state.record();
                md.append(Markdown.row(List.of(
                        "`" + state.kata().id() + "` " + Markdown.cell(state.kata().title()),
                        Markdown.cell(track.title()),
                        status(state.status()),
                        day(record.startedAt()),
                        day(record.solvedAt()),
                        String.valueOf(record.attempts()),
                        String.valueOf(record.hintsUsed()),
                        last(record.lastVerdict()))));
            }
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

    private static String last(LastVerdict last) {
        if (last == null) {
            return "";
        }
        if (last.passed()) {
            return "pass";
        }
        return "**" + Markdown.cell(last.reason() == null ? "fail" : last.reason()) + "**"
                + (last.summary() == null ? "" : ": " + Markdown.cell(last.summary()));
    }

    private String day(Instant instant) {
        return instant == null ? "" : DAY.withZone(zone).format(instant);
    }
}
