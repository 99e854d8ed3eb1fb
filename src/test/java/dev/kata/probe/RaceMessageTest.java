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
                "\"pool-1-thread-1\"", "Report.java:40", "lambda$build$0", "add", "add");
        String text = ProbeExtension.describe(List.of(race));
        assertTrue(text.startsWith("An ArrayList was changed (add) by \"pool-1-thread-2\" in a lambda in build() at"
                + " Report.java:40; \"pool-1-thread-1\" changed it (add) in a lambda in build() at Report.java:40"), text);
        assertTrue(text.contains("An ArrayList is not safe for threads"), text);
    }

    @Test
    void aRaceOnAFieldNamesTheMethodsAsWritten() {
        Race race = new Race(1, "Scrubber.running", "an unnamed virtual thread (#24)", "read", "Scrubber.java:58",
                "scrub", "\"main\"", "Scrubber.java:37", "stop", null, null);
        String text = ProbeExtension.describe(List.of(race));
        assertTrue(text.startsWith("Scrubber.running was read by an unnamed virtual thread (#24) in scrub() at"
                + " Scrubber.java:58; \"main\" wrote it in stop() at Scrubber.java:37"), text);
    }

    @Test
    void aLambdaInAConstructorOrAStaticInitialiserIsNamedAsSuch() {
        assertEquals("a lambda in the constructor", ProbeExtension.method("lambda$new$3"));
        assertEquals("a lambda in the static initializer", ProbeExtension.method("lambda$static$0"));
        assertEquals("stop()", ProbeExtension.method("stop"));
    }
}
