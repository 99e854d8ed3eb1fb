package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.api.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A test JVM that died without the probe's word is described by what is known, and no more. */
class JvmDeathTest {

    @Test
    void aJvmKilledFromOutsideIsNotAnExitCallButInconclusive() {
        JvmDeath death = JvmDeath.of(137, "");
        assertNotEquals(Reason.EXIT_CALLED, death.reason());
        assertEquals(Status.INCONCLUSIVE, death.status());
        assertTrue(death.message().contains("signal 9"), death.message());
    }

    @Test
    void aJvmThatStoppedWithStatusZeroMidTestIsNotAnExitCall() {
        assertNotEquals(Reason.EXIT_CALLED, JvmDeath.of(0, "").reason());
    }

    @Test
    void theProbesOwnStatusWithoutItsReportIsNotBlamedOnTheLearner() {
        JvmDeath death = JvmDeath.of(JvmDeath.PROBE_EXIT, "");
        assertNotEquals(Reason.EXIT_CALLED, death.reason());
        assertEquals(Status.INCONCLUSIVE, death.status());
    }

    @Test
    void aHaltWithNoErrorOfTheJvmsIsStillAnExitCall() {
        JvmDeath death = JvmDeath.of(3, "some output of the learner's code\n");
        assertEquals(Reason.EXIT_CALLED, death.reason());
        assertEquals(Status.FAIL, death.status());
        assertTrue(death.message().contains("exit status 3"), death.message());
    }

    @Test
    void runningOutOfMemoryIsSaidSo() {
        assertEquals(Reason.OUT_OF_MEMORY,
                JvmDeath.of(3, "Terminating due to java.lang.OutOfMemoryError: Java heap space").reason());
    }

    /** A real JVM stopped by the check's own limit, long before its test's: never an exit call. */
    @Test
    void aJvmKilledAtTheCheckLimitIsReportedAsTheCheckLimit() {
        Grader grader = Fixtures.grader();
        Verdict verdict = grader.check(Fixtures.hostileKata(Duration.ofMinutes(1), Duration.ofSeconds(1)),
                Fixtures.variant("sleep-forever"), CheckListener.NONE);

        assertNotEquals(Status.PASS, verdict.status(), verdict::toString);
        assertEquals(Reason.CHECK_TIMEOUT, verdict.reason(), verdict::toString);
        assertTrue(verdict.tests().stream().noneMatch(t -> t.reason() == Reason.EXIT_CALLED), verdict::toString);
        assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList(),
                "no process may be left behind");
    }
}
