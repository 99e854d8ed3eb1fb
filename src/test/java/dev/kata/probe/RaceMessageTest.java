package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.races.Races.Race;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaceMessageTest {
    @Test
    void aRaceOnACollectionNamesItsClassBothCallsAndTheLearnersLambdas() {
        Race race = new Race(1, "ArrayList", "\"pool-1-thread-2\"", "wrote", "Report.java:40", "lambda$build$0",
                "\"pool-1-thread-1\"", "Report.java:40", "lambda$build$0", "add", "add", false);
        String text = ProbeExtension.describe(List.of(race));
        assertTrue(text.startsWith("An ArrayList was changed (add) by \"pool-1-thread-2\" in a lambda in build() at"
                + " Report.java:40; \"pool-1-thread-1\" changed it (add) in a lambda in build() at Report.java:40"), text);
        assertTrue(text.contains("An ArrayList is not safe for threads"), text);
    }

    @Test
    void aRaceOnAFieldNamesTheMethodsAsWritten() {
        Race race = new Race(1, "Scrubber.running", "an unnamed virtual thread (#24)", "read", "Scrubber.java:58",
                "scrub", "\"main\"", "Scrubber.java:37", "stop", null, null, false);
        String text = ProbeExtension.describe(List.of(race));
        assertTrue(text.startsWith("Scrubber.running was read by an unnamed virtual thread (#24) in scrub() at"
                + " Scrubber.java:58; \"main\" wrote it in stop() at Scrubber.java:37"), text);
    }

    @Test
    void aRaceOnAnArrayElementSaysThatElementsArePlainVariables() {
        Race race = new Race(1, "element [0] of long[]", "\"main\"", "read", "Scrubber.java:53", "passes",
                "\"integrity-scrubber\"", "Scrubber.java:66", "scrub", null, null, true);
        String text = ProbeExtension.describe(List.of(race));
        assertTrue(text.startsWith("Element [0] of long[] was read by \"main\" in passes() at Scrubber.java:53;"
                + " \"integrity-scrubber\" wrote it in scrub() at Scrubber.java:66, and nothing ordered that write"
                + " before this read"), text);
        assertTrue(text.contains("An array's elements are plain variables"), text);
        assertTrue(text.contains("AtomicLongArray"), text);
    }

    @Test
    void aLambdaInAConstructorOrAStaticInitialiserIsNamedAsSuch() {
        assertEquals("a lambda in the constructor", ProbeExtension.method("lambda$new$3"));
        assertEquals("a lambda in the static initializer", ProbeExtension.method("lambda$static$0"));
        assertEquals("stop()", ProbeExtension.method("stop"));
    }
}
