package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The check's limit weighs the CPU the test JVM was given, and the load, not only the clock. */
class CheckLimitTest {
    private final CheckLimit limit = new CheckLimit(Duration.ofSeconds(30));

    @Test
    void onAQuietMachineTheLimitIsTheLimit() {
        assertEquals(CheckLimit.Call.WITHIN, limit.judge(29_000, 1_000, false));
        assertEquals(CheckLimit.Call.OVER, limit.judge(30_400, 1_000, false));
    }

    @Test
    void onASaturatedMachineAStarvedCheckGetsMoreTimeThenIsInconclusive() {
        assertEquals(CheckLimit.Call.WITHIN, limit.judge(30_400, 2_000, true));
        assertEquals(CheckLimit.Call.WITHIN, limit.judge(90_000, 2_000, true));
        assertEquals(CheckLimit.Call.CANNOT_TELL, limit.judge(90_001, 2_000, true));
    }

    @Test
    void aCheckThatHadTheCpuAndUsedItIsOverWhateverTheLoad() {
        assertEquals(CheckLimit.Call.OVER, limit.judge(30_400, 15_000, true));
    }
}
