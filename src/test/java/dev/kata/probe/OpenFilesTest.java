package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.api.Reason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The open-file check by name (Linux), by count (another Unix), and where neither is known. */
class OpenFilesTest {
    @Test
    void byNameTheFilesStillOpenAreNamed() {
        OpenFiles.Snapshot before = new OpenFiles.Snapshot(true, Map.of("3", "/a.jar"), -1);
        OpenFiles.Snapshot after = new OpenFiles.Snapshot(true, Map.of("3", "/a.jar", "9", "/tmp/in/lab-001.csv"), -1);

        DetectedFailure failure = assertThrows(DetectedFailure.class, () -> OpenFiles.verify(before, after));

        assertEquals(Reason.RESOURCE_LEAK, failure.reason());
        assertTrue(failure.getMessage().startsWith("1 file handle opened during this test is still open: /tmp/in/lab-001.csv."),
                failure.getMessage());
    }

    @Test
    void withoutProcTheCountOfOpenDescriptorsStillCatchesALeak() {
        OpenFiles.Snapshot before = new OpenFiles.Snapshot(false, Map.of(), 40);

        DetectedFailure failure = assertThrows(DetectedFailure.class,
                () -> OpenFiles.verify(before, new OpenFiles.Snapshot(false, Map.of(), 42)));
        OpenFiles.verify(before, new OpenFiles.Snapshot(false, Map.of(), 40));

        assertTrue(failure.getMessage().startsWith("2 file handles opened during this test are still open "
                + "(this system does not say which files)."), failure.getMessage());
    }

    @Test
    void whereNothingCanBeCountedItSaysSoOnce() {
        PrintStream err = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            OpenFiles.verify(OpenFiles.Snapshot.NONE, OpenFiles.Snapshot.NONE);
            OpenFiles.verify(OpenFiles.Snapshot.NONE, OpenFiles.Snapshot.NONE);
        } finally {
            System.setErr(err);
        }
        assertEquals("kata: files left open are not checked on this system: it has neither /proc/self/fd "
                + "nor a count of open file descriptors.\n", said.toString(StandardCharsets.UTF_8));
    }
}
