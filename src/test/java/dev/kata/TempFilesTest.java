package dev.kata;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFolderGoesWithAllItHolds() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("work/classes/pkg"));
        Files.writeString(folder.resolve("A.class"), "x");
        Files.writeString(dir.resolve("work/events.jsonl"), "{}");

        TempFiles.deleteQuietly(dir.resolve("work"));

        assertFalse(Files.exists(dir.resolve("work")));
    }

    @Test
    void aFileGoesAndNothingAtAllIsNoError() throws Exception {
        Path file = Files.writeString(dir.resolve("archive.tmp"), "x");

        TempFiles.deleteQuietly(file);
        TempFiles.deleteQuietly(file);
        TempFiles.deleteQuietly(null);

        assertFalse(Files.exists(file));
    }
}
