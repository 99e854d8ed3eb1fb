package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.api.Reason;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {
    private final ThreadDescriber describer = new ThreadDescriber(Set.of(), Set.of());

    @Test
    void aRaceFoundAfterTheTestFailedIsTheVerdictAndTheTestsFailureFollows() {
        IllegalStateException thrown = new IllegalStateException("no confirmation for patient P-03086");
        thrown.addSuppressed(new DetectedFailure(Reason.RACE, "two threads were inside a HashMap at the same time.",
                "ReminderService.java:40", List.of()));
        FailureClassifier.Failure f = FailureClassifier.classify(thrown, describer);
        assertEquals(Reason.RACE, f.reason());
        assertEquals("ReminderService.java:40", f.location());
        assertTrue(f.message().startsWith("two threads were inside a HashMap"), f.message());
        assertTrue(f.message().endsWith("The test had failed first: IllegalStateException: no confirmation for patient"
                + " P-03086."), f.message());
    }

    @Test
    void anotherSuppressedFailureLeavesTheTestsOwnVerdict() {
        AssertionError failed = new AssertionError("expected 3 rows");
        failed.addSuppressed(new DetectedFailure(Reason.LEAK, "a thread was left running", null, List.of()));
        FailureClassifier.Failure f = FailureClassifier.classify(failed, describer);
        assertEquals(Reason.TEST_FAILURE, f.reason());
        assertEquals("expected 3 rows", f.message());
    }
}
