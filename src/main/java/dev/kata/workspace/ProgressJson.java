package dev.kata.workspace;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The format of {@code .kata/progress.json}. Reading is strict: anything unexpected means the file is corrupt. */
final class ProgressJson {
    static final int FORMAT = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProgressJson() {
    }

    static final class CorruptProgressException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptProgressException(String message) {
            super(message);
        }
    }

    static String write(Progress progress) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode katas = root.putObject("katas");
        progress.katas().forEach((id, p) -> {
            ObjectNode kata = katas.putObject(id);
            kata.put("status", p.status().id());
            kata.put("startedAt", text(p.startedAt()));
            kata.put("solvedAt", text(p.solvedAt()));
            kata.put("attempts", p.attempts());
            kata.put("hintsUsed", p.hintsUsed());
            if (p.lastVerdict() == null) {
                kata.putNull("lastVerdict");
            } else {
                ObjectNode verdict = kata.putObject("lastVerdict");
                verdict.put("status", p.lastVerdict().status());
                verdict.put("reason", p.lastVerdict().reason());
                verdict.put("summary", p.lastVerdict().summary());
                verdict.put("at", text(p.lastVerdict().at()));
            }
        });
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    static Progress read(String json) throws CorruptProgressException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new CorruptProgressException("not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new CorruptProgressException("not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isInt() || format.asInt() != FORMAT) {
            throw new CorruptProgressException("unknown format " + format);
        }
        JsonNode katas = root.get("katas");
        if (katas == null || !katas.isObject()) {
            throw new CorruptProgressException("no \"katas\" object");
        }
        Map<String, KataProgress> result = new LinkedHashMap<>();
        for (var entry : katas.properties()) {
            result.put(entry.getKey(), kata(entry.getKey(), entry.getValue()));
        }
        return new Progress(result);
    }

    private static KataProgress kata(String id, JsonNode node) throws CorruptProgressException {
        if (!node.isObject()) {
            throw new CorruptProgressException(id + " is not an object");
        }
        ProgressStatus status = ProgressStatus.fromId(node.path("status").asText(null));
        if (status == null) {
            throw new CorruptProgressException(id + ": unknown status " + node.get("status"));
        }
        JsonNode verdict = node.get("lastVerdict");
        LastVerdict last = null;
        if (verdict != null && !verdict.isNull()) {
            if (!verdict.isObject()) {
                throw new CorruptProgressException(id + ": lastVerdict is not an object");
            }
            last = new LastVerdict(
                    verdict.path("status").asText(null),
                    verdict.path("reason").isTextual() ? verdict.get("reason").asText() : null,
                    verdict.path("summary").isTextual() ? verdict.get("summary").asText() : null,
                    instant(id, verdict.get("at")));
        }
        return new KataProgress(status, instant(id, node.get("startedAt")), instant(id, node.get("solvedAt")),
                count(id, node.get("attempts")), count(id, node.get("hintsUsed")), last);
    }

    private static Instant instant(String id, JsonNode node) throws CorruptProgressException {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw new CorruptProgressException(id + ": bad time " + node);
        }
    }

    private static int count(String id, JsonNode node) throws CorruptProgressException {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isInt() || node.asInt() < 0) {
            throw new CorruptProgressException(id + ": bad count " + node);
        }
        return node.asInt();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
