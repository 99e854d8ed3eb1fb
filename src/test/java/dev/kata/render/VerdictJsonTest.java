package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kata.grader.CompileDiagnostic;
import dev.kata.grader.Evidence;
import dev.kata.grader.Status;
import dev.kata.grader.TestResult;
import dev.kata.grader.ThreadReport;
import dev.kata.grader.Verdict;
import dev.kata.probe.api.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictJsonTest {
    @Test
    void modelCheckedEvidenceCarriesTheSteps() throws Exception {
        Evidence evidence = new Evidence(Evidence.Kind.MODEL_CHECKED, "found", 0, 0, new Evidence.Interleaving(
                List.of("test", "thread 1", "thread 2"), List.of(
                        new Evidence.Step(1, "read", "Counter.java:12", "count -> 41", false),
                        new Evidence.Step(1, "switch", null, "switch", true))));
        Verdict verdict = new Verdict("lost-update-counter", Status.FAIL, Reason.RACE, "lost", List.of(),
                List.of(new TestResult("id", "name", Status.FAIL, Reason.RACE, "msg", "Counter.java:12", List.of(), 5,
                        evidence)), "", 10);

        JsonNode json = new ObjectMapper().readTree(VerdictJson.render(verdict));

        assertEquals("model-checked", json.get("evidence").asText());
        JsonNode e = json.get("tests").get(0).get("evidence");
        assertEquals("model-checked", e.get("kind").asText());
        assertEquals("thread 1", e.get("interleaving").get("threads").get(1).asText());
        JsonNode step = e.get("interleaving").get("steps").get(0);
        assertEquals("read", step.get("kind").asText());
        assertEquals("Counter.java:12", step.get("location").asText());
        assertEquals("count -> 41", step.get("action").asText());
        assertTrue(e.get("interleaving").get("steps").get(1).get("breaking").asBoolean());
    }

    @Test
    void hasTheContractFieldsWithReasonIds() throws Exception {
        ThreadReport thread = new ThreadReport("w", true, "WAITING", "SynchronousQueue.put", null, "A.java:4", List.of("f"));
        Verdict verdict = new Verdict("leak-alert", Status.FAIL, Reason.LOST_WORK, "lost", List.of(
                new CompileDiagnostic("A.java", 1, 2, "m", "src")),
                List.of(new TestResult("id", "name", Status.FAIL, Reason.LOST_WORK, "msg", "A.java:4", List.of(thread), 12)),
                "out", 345);

        JsonNode json = new ObjectMapper().readTree(VerdictJson.render(verdict));

        assertEquals("leak-alert", json.get("kata").asText());
        assertEquals("fail", json.get("status").asText());
        assertEquals("lost-work", json.get("reason").asText());
        assertEquals("lost", json.get("summary").asText());
        assertEquals(345, json.get("durationMs").asLong());
        assertEquals(2, json.get("diagnostics").get(0).get("column").asInt());
        JsonNode test = json.get("tests").get(0);
        assertEquals("name", test.get("name").asText());
        assertEquals("fail", test.get("status").asText());
        assertEquals("lost-work", test.get("reason").asText());
        assertEquals("msg", test.get("message").asText());
        assertEquals("A.java:4", test.get("location").asText());
        assertEquals(12, test.get("durationMs").asLong());
        assertTrue(test.get("threads").get(0).get("virtual").asBoolean());
        assertEquals("out", json.get("output").asText());
    }

    @Test
    void passHasANullReason() throws Exception {
        Verdict pass = new Verdict("k", Status.PASS, null, "ok", List.of(), List.of(), "", 1);

        JsonNode json = new ObjectMapper().readTree(VerdictJson.render(pass));

        assertEquals("pass", json.get("status").asText());
        assertTrue(json.get("reason").isNull());
    }
}
