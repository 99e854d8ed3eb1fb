package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A test past its limit: slow code, a hang, or only a machine that kept it from the CPU. */
class OverrunTest {
    private static final long LIMIT = 2000;

    @Test
    void withinItsLimitNothingIsDecided() {
        assertEquals(Overrun.Call.WITHIN, new Overrun(1999, 0, 0, 0).judge(LIMIT));
    }

    @Test
    void aHangThatNeverAsksForTheCpuIsTooSlowAtTheLimit() {
        assertEquals(Overrun.Call.TOO_SLOW, new Overrun(2020, 3, 1, 0).judge(LIMIT));
    }

    @Test
    void aHangIsTooSlowEvenWhenTheJvmWaitedLongForACpu() {
        // the machine starved the JVM, but none of the test's threads has wanted a CPU for a second
        assertEquals(Overrun.Call.TOO_SLOW, new Overrun(2500, 3, 2400, 1000).judge(LIMIT));
        assertEquals(Overrun.Call.WAIT, new Overrun(2500, 3, 2400, 999).judge(LIMIT));
    }

    @Test
    void aBusyLoopThatHadTheCpuIsTooSlowWhateverTheLoad() {
        assertEquals(Overrun.Call.TOO_SLOW, new Overrun(2020, 1990, 0, 0).judge(LIMIT));
        // starved, but it has burnt half its limit in CPU time already
        assertEquals(Overrun.Call.TOO_SLOW, new Overrun(6000, 1000, 5000, 0).judge(LIMIT));
    }

    @Test
    void codeKeptWaitingForACpuGetsMoreTimeThenIsInconclusive() {
        assertEquals(Overrun.Call.WAIT, new Overrun(2500, 300, 2100, 0).judge(LIMIT));
        assertEquals(Overrun.Call.WAIT, new Overrun(8000, 600, 7000, 0).judge(LIMIT));
        assertEquals(Overrun.Call.CANNOT_TELL, new Overrun(8001, 600, 7000, 0).judge(LIMIT));
    }

    @Test
    void timeNotSpentWaitingForACpuStillCounts() {
        // waited 1 s for a CPU, but 2.5 s of the rest it was simply not done
        assertEquals(Overrun.Call.TOO_SLOW, new Overrun(3500, 100, 1000, 0).judge(LIMIT));
    }

    @Test
    void aWaitThatMissesThreadsProvesNothingAboutTheRest() {
        // a pool made per call: its threads came and went between two readings, their wait unseen
        assertEquals(Overrun.Call.WAIT, new Overrun(15300, 0, 7200, 0, true).judge(8000));
        assertEquals(Overrun.Call.CANNOT_TELL, new Overrun(32001, 0, 7200, 0, true).judge(8000));
        // still too slow where the rest of the evidence holds: a CPU burnt, or a second with nothing running
        assertEquals(Overrun.Call.TOO_SLOW, new Overrun(15300, 4000, 7200, 0, true).judge(8000));
        assertEquals(Overrun.Call.TOO_SLOW, new Overrun(15300, 0, 7200, 1000, true).judge(8000));
    }

    @Test
    void aBusyMachineNoteNamesTheEvidenceTheVerdictRestsOn() {
        assertTrue(new Overrun(6000, 1000, 5000, 0).busyMachineNote(LIMIT).contains("the code itself keeps busy"));
        assertTrue(new Overrun(3500, 100, 1000, 0).busyMachineNote(LIMIT).contains("which does not explain the overrun"));
        String stuck = new Overrun(2500, 3, 2400, 1200).busyMachineNote(LIMIT);
        assertTrue(stuck.contains("none of its threads has run at all for the last 1.2 s"), stuck);
        assertTrue(!stuck.contains("does not explain"), stuck);
    }
}
