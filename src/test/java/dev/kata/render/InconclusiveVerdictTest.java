package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.grader.Status;
import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;
import dev.kata.probe.api.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A check the tutor could not judge says so, and does not read as a failure of the learner's code. */
class InconclusiveVerdictTest {
    private static final String MESSAGE = "the check ran out of time during this test, on a machine too busy to tell"
            + " whether your code is slow: in 91.2 s the test JVM got 3.4 s of CPU (load 12.3 on 2 cores, some"
            + " thread waiting for a CPU 98% of the time)";

    private final Verdict verdict = new Verdict("leak-alert", Status.INCONCLUSIVE, Reason.CHECK_TIMEOUT,
            "slow send: " + MESSAGE, List.of(), List.of(
                    new TestResult("1", "fast path", Status.PASS, null, null, null, List.of(), 40),
                    new TestResult("2", "slow send", Status.INCONCLUSIVE, Reason.CHECK_TIMEOUT, MESSAGE, null,
                            List.of(), 0),
                    new TestResult("3", "many sends", Status.FAIL, Reason.NOT_RUN,
                            "not run: the check ran out of time (limit 30 s)", null, List.of(), 0)),
            "", 91_200);

    @Test
    void theTextSaysInconclusiveAndOffersToRunItAgain() {
        String shown = new VerdictText(Style.plain(), new PathDisplay(VerdictTextTest.CWD), false)
                .render(verdict, VerdictTextTest.KATA, VerdictTextTest.SOURCE);

        assertTrue(shown.startsWith("? leak-alert: inconclusive (check-timeout)\n"), shown);
        assertTrue(shown.contains("? slow send: inconclusive (check-timeout)"), shown);
        assertTrue(shown.contains("the test JVM got 3.4 s of CPU"), shown);
        assertTrue(shown.contains("Run kata check leak-alert again"), shown);
        assertFalse(shown.contains("fails"), shown);
        assertFalse(shown.contains("failed:"), shown);
    }

    @Test
    void theJsonHasItsOwnStatus() {
        var json = VerdictJson.tree(verdict);
        assertEquals("inconclusive", json.path("status").asText());
        assertEquals("check-timeout", json.path("reason").asText());
        assertEquals("inconclusive", json.path("tests").path(1).path("status").asText());
    }
}
