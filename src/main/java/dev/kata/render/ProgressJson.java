package dev.kata.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kata.catalog.Track;
import dev.kata.workspace.KataProgress;
import dev.kata.workspace.KataState;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.ProgressStatus;
import java.time.Instant;
import java.util.List;

/**
 * {@code kata progress --format json}: who, which pack, counts and each kata's record, by track.
 * This is also what {@code kata report} reads: {@code format} is its version, raised only when a
 * field changes meaning or goes away (new fields may appear without it).
 */
public final class ProgressJson {
    public static final int FORMAT = 1;

    private ProgressJson() {
    }

    public static String render(ProgressExport export) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("learner", export.learner());
        ObjectNode pack = root.putObject("pack");
        pack.put("name", export.packName());
        pack.put("version", export.packVersion());
        root.put("exportedAt", text(export.exportedAt()));
        counts(root, export.tracks(), export.states());
        return Json.write(root);
    }

    /** Counts and katas only, without who or which pack. */
    public static String render(List<Track> tracks, List<KataState> states) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        counts(root, tracks, states);
        return Json.write(root);
    }

    private static void counts(ObjectNode root, List<Track> tracks, List<KataState> states) {
        root.put("total", states.size());
        root.put("passed", StatusMarks.count(states, ProgressStatus.PASSED));
        root.put("inProgress", StatusMarks.count(states, ProgressStatus.IN_PROGRESS));
        root.put("notStarted", StatusMarks.count(states, ProgressStatus.NOT_STARTED));
        ArrayNode trackArray = root.putArray("tracks");
        for (Track track : tracks) {
            ObjectNode trackNode = trackArray.addObject();
            trackNode.put("id", track.id());
            trackNode.put("title", track.title());
            ArrayNode katas = trackNode.putArray("katas");
            for (KataState state : states) {
                if (state.kata().track().equals(track.id())) {
                    kata(katas.addObject(), state);
                }
            }
        }
    }

    private static void kata(ObjectNode node, KataState state) {
        KataProgress record = state.record();
        node.put("id", state.kata().id());
        node.put("title", state.kata().title());
        node.put("pitfall", state.kata().pitfall() == null ? null : state.kata().pitfall().id());
        node.put("status", state.status().id());
        node.put("startedAt", text(record.startedAt()));
        node.put("solvedAt", text(record.solvedAt()));
        node.put("attempts", record.attempts());
        node.put("hintsUsed", record.hintsUsed());
        LastVerdict last = record.lastVerdict();
        if (last == null) {
            node.putNull("lastVerdict");
        } else {
            ObjectNode verdict = node.putObject("lastVerdict");
            verdict.put("status", last.status());
            verdict.put("reason", last.reason());
            verdict.put("summary", last.summary());
            verdict.put("at", text(last.at()));
        }
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
