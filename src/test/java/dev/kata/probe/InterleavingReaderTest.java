package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.Interleaving.Kind;
import dev.kata.probe.Interleaving.Step;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads a trace Lincheck 3.7 printed for lost-update-counter's starter (two workers, records += n). */
class InterleavingReaderTest {

    private static String trace() throws IOException {
        try (InputStream in = InterleavingReaderTest.class.getResourceAsStream("/lincheck/lost-update-trace.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void keepsTheLearnersLinesAndTheCallsIntoThem() throws IOException {
        Interleaving i = InterleavingReader.read(trace(), "MigrationStats.java"::equals);

        assertNotNull(i);
        assertEquals(List.of("test", "thread 1", "thread 2"), i.threads());
        Step first = i.steps().get(0);
        assertEquals(new Step(1, Kind.CALL, null, "recordBatch(Batch#1)", false), first);
        assertEquals(new Step(1, Kind.READ, "MigrationStats.java:25", "records -> 0", false), i.steps().get(1));
        assertTrue(i.steps().contains(new Step(2, Kind.WRITE, "MigrationStats.java:25", "records = 5", false)));
        assertTrue(i.steps().contains(new Step(1, Kind.WRITE, "MigrationStats.java:25", "records = 3", false)));
        // Nothing of the test's own lines, and no constructor noise.
        assertTrue(i.steps().stream().allMatch(s -> s.location() == null || s.location().startsWith("MigrationStats.java")));
        assertTrue(i.steps().stream().noneMatch(s -> s.action().contains("<init>")));
    }

    @Test
    void marksTheSwitchInTheMiddleOfAnUpdate() throws IOException {
        Interleaving i = InterleavingReader.read(trace(), "MigrationStats.java"::equals);

        List<Step> breaking = i.steps().stream().filter(Step::breaking).toList();
        assertEquals(1, breaking.size());
        assertEquals(1, breaking.get(0).thread());
        assertEquals("MigrationStats.java:25", i.breakingLocation());
    }

    @Test
    void noTraceNoInterleaving() {
        assertNull(InterleavingReader.read("= Concurrent test failed =\n\nsomething else", f -> true));
        assertNull(InterleavingReader.read(null, f -> true));
    }
}
