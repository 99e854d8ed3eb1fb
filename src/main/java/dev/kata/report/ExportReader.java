package dev.kata.report;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kata.KataException;
import dev.kata.workspace.ProgressStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON a learner's {@code kata progress --format json} wrote. Fields it does not know are
 * ignored (a newer kata may add some); a missing or wrong field, or a newer {@code format}, is an
 * error that names the file and the field.
 */
public final class ExportReader {
    /** The export format this kata reads. */
    public static final int FORMAT = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** @param shown the file as the messages name it */
    public LearnerExport read(Path file, String shown) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new KataException(shown + ": not JSON (" + e.getOriginalMessage() + "); "
                    + "make exports with `kata progress --format json > FILE`");
        } catch (IOException e) {
            throw new KataException(shown + ": cannot be read: " + e.getMessage());
        }
        Fields fields = new Fields(shown);
        if (root == null || !root.isObject() || !root.has("format")) {
            throw new KataException(shown + ": not a kata progress export (it has no \"format\"); "
                    + "make exports with `kata progress --format json > FILE`");
        }
        JsonNode format = root.get("format");
        if (!format.canConvertToInt() || !format.isIntegralNumber()) {
            throw fields.problem("format", "must be a whole number, got " + format);
        }
        if (format.asInt() > FORMAT) {
            throw fields.problem("format", format.asInt() + " is newer than this kata reads (" + FORMAT
                    + "): update kata to merge this export");
        }
        String learner = fields.text(root, "learner");
        JsonNode pack = fields.object(root, "pack");
        String packName = fields.text(pack, "pack.name");
        String packVersion = fields.text(pack, "pack.version");
        Instant exportedAt = fields.instant(root.get("exportedAt"), "exportedAt");
        List<KataRecord> katas = new ArrayList<>();
        JsonNode tracks = fields.array(root, "tracks");
        for (int t = 0; t < tracks.size(); t++) {
            String prefix = "tracks[" + t + "]";
            JsonNode track = tracks.get(t);
            String trackTitle = fields.text(track, prefix + ".title");
            JsonNode list = fields.array(track, prefix + ".katas");
            for (int k = 0; k < list.size(); k++) {
                katas.add(kata(list.get(k), prefix + ".katas[" + k + "]", trackTitle, fields));
            }
        }
        return new LearnerExport(shown, learner, packName, packVersion, exportedAt, katas);
    }

    private static KataRecord kata(JsonNode node, String at, String trackTitle, Fields fields) {
        String id = fields.text(node, at + ".id");
        String statusText = fields.text(node, at + ".status");
        ProgressStatus status = ProgressStatus.fromId(statusText);
        if (status == null) {
            throw fields.problem(at + ".status", "'" + statusText + "' is not one of not-started, in-progress, passed");
        }
        JsonNode last = node.get("lastVerdict");
        String reason = null;
        String summary = null;
        if (last != null && last.isObject()) {
            boolean failed = !"pass".equals(last.path("status").asText());
            reason = failed ? last.path("reason").asText("fail") : null;
            summary = last.path("summary").isTextual() ? last.get("summary").asText() : null;
        }
        return new KataRecord(id, node.path("title").asText(id), trackTitle, status,
                fields.instant(node.get("startedAt"), at + ".startedAt"),
                fields.instant(node.get("solvedAt"), at + ".solvedAt"),
                fields.count(node.get("attempts"), at + ".attempts"),
                fields.count(node.get("hintsUsed"), at + ".hintsUsed"),
                reason, summary);
    }

    /** Typed access to an export's fields; each problem names the file and the field. */
    private record Fields(String file) {
        KataException problem(String field, String message) {
            return new KataException(file + ": " + field + ": " + message);
        }

        String text(JsonNode parent, String field) {
            JsonNode value = parent.get(last(field));
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                throw problem(field, value == null ? "missing" : "must be a non-empty string");
            }
            return value.asText();
        }

        JsonNode object(JsonNode parent, String field) {
            JsonNode value = parent.get(last(field));
            if (value == null || !value.isObject()) {
                throw problem(field, value == null ? "missing" : "must be an object");
            }
            return value;
        }

        JsonNode array(JsonNode parent, String field) {
            JsonNode value = parent.get(last(field));
            if (value == null || !value.isArray()) {
                throw problem(field, value == null ? "missing" : "must be an array");
            }
            return value;
        }

        Instant instant(JsonNode value, String field) {
            if (value == null || value.isNull()) {
                return null;
            }
            try {
                return Instant.parse(value.asText());
            } catch (DateTimeParseException e) {
                throw problem(field, "not a time: " + value);
            }
        }

        int count(JsonNode value, String field) {
            if (value == null || value.isNull()) {
                return 0;
            }
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0) {
                throw problem(field, "must be a whole number of at least 0, got " + value);
            }
            return value.asInt();
        }

        private static String last(String field) {
            return field.substring(field.lastIndexOf('.') + 1);
        }
    }
}
