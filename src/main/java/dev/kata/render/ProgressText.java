package dev.kata.render;

import dev.kata.catalog.Track;
import dev.kata.workspace.KataProgress;
import dev.kata.workspace.KataState;
import dev.kata.workspace.ProgressStatus;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** {@code kata progress}: counts, then each track with each kata's status, checks and hints. */
public final class ProgressText {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");

    private final Style style;
    private final ZoneId zone;

    public ProgressText(Style style, ZoneId zone) {
        this.style = style;
        this.zone = zone;
    }

    public String render(List<Track> tracks, List<KataState> states) {
        StringBuilder out = new StringBuilder();
        out.append(style.bold("Progress: " + StatusMarks.count(states, ProgressStatus.PASSED) + " of " + states.size()
                        + " passed"))
                .append(", ").append(StatusMarks.count(states, ProgressStatus.IN_PROGRESS)).append(" in progress, ")
                .append(StatusMarks.count(states, ProgressStatus.NOT_STARTED)).append(" not started\n\n");
        int idWidth = states.stream().mapToInt(s -> s.kata().id().length()).max().orElse(0) + 2;
        for (Track track : tracks) {
            List<KataState> inTrack = states.stream().filter(s -> s.kata().track().equals(track.id())).toList();
            out.append(style.heading(track.title())).append(style.dim("  " + StatusMarks.count(inTrack, ProgressStatus.PASSED)
                    + "/" + inTrack.size())).append('\n');
            for (KataState state : inTrack) {
                out.append("  ").append(StatusMarks.mark(style, state.status())).append(' ')
                        .append(style.bold(StatusMarks.pad(state.kata().id(), idWidth)))
                        .append(StatusMarks.label(style, state.status()));
                String details = details(state.record());
                if (!details.isEmpty()) {
                    out.append(style.dim("  " + details));
                }
                out.append('\n');
            }
            out.append('\n');
        }
        out.append(StatusMarks.next(style, states)).append('\n');
        return out.toString();
    }

    private String details(KataProgress record) {
        List<String> parts = new ArrayList<>();
        if (record.attempts() > 0) {
            parts.add(record.attempts() + (record.attempts() == 1 ? " check" : " checks"));
        }
        if (record.hintsUsed() > 0) {
            parts.add(record.hintsUsed() + (record.hintsUsed() == 1 ? " hint" : " hints"));
        }
        if (record.solvedAt() != null) {
            parts.add("solved " + DAY.withZone(zone).format(record.solvedAt()));
        } else if (record.startedAt() != null) {
            parts.add("started " + DAY.withZone(zone).format(record.startedAt()));
        }
        if (record.lastVerdict() != null && !record.lastVerdict().passed()) {
            String reason = record.lastVerdict().reason();
            parts.add("last check: " + (reason == null ? "fail" : reason));
        }
        return String.join(", ", parts);
    }
}
