package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flight Recorder places a file at the line of the learner's code that first read it (this test plays the learner). */
class FileUseTest {
    @TempDir
    Path temp;

    @Test
    void aFileIsPlacedAtTheLearnersFirstReadOfIt() throws IOException {
        assertTrue(FileUse.start(), "this JDK has Flight Recorder");
        Path file = Files.writeString(temp.resolve("orders.csv"), "42\n");
        Path other = Files.writeString(temp.resolve("other.csv"), "7\n");
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            in.readAllBytes(); // line 27
        }

        Map<String, String> lines = FileUse.learnerLines(List.of(file.toString(), other.toString()),
                new ThreadDescriber(Set.of(FileUseTest.class.getName()), Set.of()));

        assertEquals(Map.of(file.toString(), "FileUseTest.java:27", other.toString(), "FileUseTest.java:25"), lines,
                "orders.csv at its first read, not at its write; other.csv, never read, at its write");
    }
}
