package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.grader.Evidence;
import dev.kata.grader.Evidence.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterleavingTextTest {
    private static final Evidence.Interleaving LOST_UPDATE = new Evidence.Interleaving(
            List.of("test", "thread 1", "thread 2"), List.of(
                    new Step(1, "call", null, "add(1)", false),
                    new Step(1, "read", "Counter.java:12", "count -> 41", false),
                    new Step(1, "switch", null, "switch", true),
                    new Step(2, "call", null, "add(1)", false),
                    new Step(2, "read", "Counter.java:12", "count -> 41", false),
                    new Step(2, "write", "Counter.java:12", "count = 42", false),
                    new Step(1, "write", "Counter.java:12", "count = 42", false)));

    @Test
    void oneColumnPerThreadWithTheLearnersLines() {
        List<String> lines = new InterleavingText(Style.plain(), 100).render(LOST_UPDATE);

        assertEquals("  The steps that break it, on the lines of Counter.java (reads ->, writes =):", lines.get(0));
        assertTrue(lines.get(1).contains("thread 1") && lines.get(1).contains("thread 2"), lines.get(1));
        assertTrue(!lines.get(1).contains("test"), "the test thread has no step: no column: " + lines.get(1));
        assertTrue(lines.get(3).strip().matches("2 +12: count -> 41"), lines.get(3));
        assertTrue(lines.get(4).contains("switch: thread 1 stops here, thread 2 runs  <- the switch that breaks it"),
                lines.get(4));
        int column2 = lines.get(1).indexOf("thread 2");
        assertEquals(column2, lines.get(5).indexOf("calls add(1)"), lines.get(5));
        assertTrue(lines.get(8).contains("12: count = 42") && lines.get(8).indexOf("12:") < column2, lines.get(8));
    }

    @Test
    void fitsTheWidth() {
        for (int width : new int[] {60, 80, 100}) {
            for (String line : new InterleavingText(Style.plain(), width).render(LOST_UPDATE)) {
                assertTrue(line.length() <= width, width + ": " + line);
            }
        }
    }

    @Test
    void saysWhatTheFailureRestsOn() {
        InterleavingText text = new InterleavingText(Style.plain(), 100);

        assertTrue(text.evidenceLine(new Evidence(Evidence.Kind.MODEL_CHECKED, "", 0, 0, LOST_UPDATE))
                .startsWith("Evidence: model-checked."));
        assertEquals("Evidence: stress, seen under 16 threads, 3 rounds.",
                text.evidenceLine(new Evidence(Evidence.Kind.STRESS, "seen under 16 threads, 3 rounds", 16, 3, null)));
        assertTrue(text.evidenceLine(new Evidence(Evidence.Kind.RACE_DETECTOR, null, 0, 0, null))
                .startsWith("Evidence: race detector."));
        assertTrue(text.evidenceLine(new Evidence(Evidence.Kind.ORDERED_SCENARIO, null, 0, 0, null))
                .contains("on every run"));
    }
}
