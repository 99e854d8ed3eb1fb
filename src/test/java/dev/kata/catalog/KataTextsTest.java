package dev.kata.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class KataTextsTest {
    @Test
    void hintsAreSplitOnDashLines() {
        assertEquals(List.of("A nudge.", "The idea.\nTwo lines.", "The API: `Future.cancel`."),
                KataTexts.splitHints("A nudge.\n---\nThe idea.\nTwo lines.\n  ---  \n\nThe API: `Future.cancel`.\n---\n"));
    }

    @Test
    void dashesInsideALineDoNotSplit() {
        assertEquals(List.of("a --- b\n----"), KataTexts.splitHints("a --- b\n----\n"));
    }
}
