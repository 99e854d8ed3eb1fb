package dev.kata.probe.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileOpensTest {

    @Test
    void aFileOpenedAfterManyOthersStillHasItsLine() {
        long mark = FileOpens.mark();
        for (int i = 0; i < 12_000; i++) {
            open("/nonexistent/kata/many/f" + i);
        }
        String last = "/nonexistent/kata/many/f11999";
        assertEquals(1, FileOpens.lines(List.of(last), mark).get(last).size());
    }

    @Test
    void aFileOpenedEarlyKeepsItsLineWhileOtherFilesAreOpenedAgainAndAgain() {
        long mark = FileOpens.mark();
        open("/nonexistent/kata/early");
        for (int i = 0; i < 2_000; i++) {
            open("/nonexistent/kata/loop/f" + i % 10);
        }
        assertEquals(Map.of("/nonexistent/kata/early", List.of("FileOpensTest.java:" + OPEN_LINE)),
                FileOpens.lines(List.of("/nonexistent/kata/early"), mark));
    }

    @Test
    void aFileOpenedByTwoLinesGivesBothTheLatestFirstAndOnlySinceTheMark() {
        open("/nonexistent/kata/two");
        long mark = FileOpens.mark();
        open("/nonexistent/kata/two");
        FileOpens.opening(Path.of("/nonexistent/kata/two"));
        FileOpens.opened();
        int secondLine = 38;
        assertEquals(List.of("FileOpensTest.java:" + secondLine, "FileOpensTest.java:" + OPEN_LINE),
                FileOpens.lines(List.of("/nonexistent/kata/two"), mark).get("/nonexistent/kata/two"));
        assertEquals(2, FileOpens.since(mark).size());
    }

    private static final int OPEN_LINE = 49;

    private static void open(String path) {
        FileOpens.opening(Path.of(path));
        FileOpens.opened();
    }
}
