package dev.kata.grader;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kata.probe.api.Reason;
import java.util.ArrayList;
import java.util.List;

/** One line of the test JVM's event log, read back. */
record ProbeEvent(JsonNode json) {

    String type() {
        return json.path("event").asText();
    }

    String id() {
        return text("id");
    }

    String name() {
        return text("name");
    }

    boolean container() {
        return json.path("container").asBoolean(false);
    }

    String text(String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    TestResult toResult() {
        boolean passed = "passed".equals(text("status"));
        Reason reason = passed ? null : Reason.fromId(text("reason"));
        if (!passed && reason == null) {
            reason = Reason.TEST_FAILURE;
        }
        Status status = passed ? Status.PASS
                : "skipped".equals(text("status")) ? Status.SKIPPED
                : json.path("inconclusive").asBoolean(false) ? Status.INCONCLUSIVE : Status.FAIL;
        return new TestResult(id(), TestNames.readable(name()), status, reason,
                text("message"), text("location"), threads(), json.path("durationMs").asLong(0), evidence());
    }

    Evidence evidence() {
        JsonNode e = json.get("evidence");
        if (e == null || !e.isObject()) {
            return null;
        }
        Evidence.Kind kind = Evidence.Kind.fromId(e.path("kind").asText());
        if (kind == null) {
            return null;
        }
        Evidence.Interleaving interleaving = null;
        JsonNode i = e.get("interleaving");
        if (i != null && i.isObject()) {
            List<String> names = new ArrayList<>();
            i.path("threads").forEach(n -> names.add(n.asText()));
            List<Evidence.Step> steps = new ArrayList<>();
            for (JsonNode s : i.path("steps")) {
                steps.add(new Evidence.Step(s.path("thread").asInt(), s.path("kind").asText(), nullable(s, "location"),
                        nullable(s, "action"), s.path("breaking").asBoolean(false)));
            }
            interleaving = new Evidence.Interleaving(List.copyOf(names), List.copyOf(steps));
        }
        return new Evidence(kind, nullable(e, "detail"), e.path("threads").asInt(0), e.path("rounds").asInt(0),
                interleaving);
    }

    List<ThreadReport> threads() {
        List<ThreadReport> out = new ArrayList<>();
        for (JsonNode t : json.path("threads")) {
            List<String> frames = new ArrayList<>();
            t.path("frames").forEach(f -> frames.add(f.asText()));
            out.add(new ThreadReport(t.path("name").asText(), t.path("virtual").asBoolean(), t.path("state").asText(),
                    nullable(t, "waitingOn"), nullable(t, "lockOwner"), nullable(t, "location"), frames));
        }
        return out;
    }

    private static String nullable(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
