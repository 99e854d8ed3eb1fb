package dev.kata.probe.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kata.probe.api.FileOpenWatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileOpensWatchTest {
    @Test
    void aWatchIsToldOfEachOpenJustAfterItAndNoLongerOnceStopped() {
        List<String> seen = new ArrayList<>();
        Path file = Path.of("lab-001.csv").toAbsolutePath();
        FileOpenWatch.afterEachOpen(seen::add);
        try {
            FileOpens.opening(file);
            assertEquals(List.of(), seen, "not before the open returned");
            FileOpens.opened();
            assertEquals(List.of(file.toString()), seen);
        } finally {
            FileOpenWatch.afterEachOpen(null);
        }
        FileOpens.opening(file);
        FileOpens.opened();
        assertEquals(1, seen.size(), "a stopped watch hears of no more opens");
    }

    @Test
    void aWatchThatThrowsDoesNotFailTheOpen() {
        FileOpenWatch.afterEachOpen(path -> {
            throw new IllegalStateException("the test's own fault");
        });
        try {
            FileOpens.opening(Path.of("lab-002.csv"));
            FileOpens.opened();
        } finally {
            FileOpenWatch.afterEachOpen(null);
        }
    }
}
