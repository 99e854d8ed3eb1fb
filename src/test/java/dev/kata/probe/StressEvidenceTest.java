package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.api.Pitfalls;
import dev.kata.probe.api.Reason;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StressEvidenceTest {

    @Test
    void aRaceSeenUnderStressSaysAnotherRunMayDiffer() {
        Map<String, Object> evidence = StressEvidence.of(Pitfalls.race("lost").underStress(16, 3), Reason.RACE, null);

        assertEquals("stress", evidence.get("kind"));
        assertTrue(((String) evidence.get("detail")).contains("16 threads, 3 rounds"));
        assertTrue(((String) evidence.get("detail")).contains("may interleave differently"));
    }

    @Test
    void aRaceTheTestStagedStepByStepRestsOnThatScenario() {
        Map<String, Object> evidence = StressEvidence.of(Pitfalls.race("read after release").inOrderedScenario(),
                Reason.RACE, null);

        assertEquals("ordered-scenario", evidence.get("kind"));
        assertTrue(((String) evidence.get("detail")).contains("every run"));
    }

    @Test
    void otherFailuresHaveNoStressEvidence() {
        assertNull(StressEvidence.of(Pitfalls.leak("left running"), Reason.LEAK, null));
    }
}
