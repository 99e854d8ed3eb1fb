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
                : json.path("inconclusive").asBoolean(false) ? Status.INCONCLUSIVE : Status.FAIL;
        return new TestResult(id(), TestNames.readable(name()), status, reason,
                text("message"), text("location"), threads(), json.path("durationMs").asLong(0));
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
