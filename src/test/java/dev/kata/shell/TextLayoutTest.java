package dev.kata.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.render.Reflow;
import java.util.List;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

/** Story text fitted to the terminal: paragraphs reflowed, then word-wrapped to the width. */
class TextLayoutTest {
    @Test
    void paragraphsAreJoinedButHeadingsItemsAndCodeKeepTheirLines() {
        String md = """
                # Title
                A paragraph written
                over two lines.

                - an item that
                  goes on
                - another item

                    indented code
                ```
                fenced
                code
                ```
                """;
        assertEquals("""
                # Title
                A paragraph written over two lines.

                - an item that goes on
                - another item

                    indented code
                ```
                fenced
                code
                ```
                """, Reflow.paragraphs(md));
    }

    @Test
    void wrapsAtSpacesWithinTheWidthAndHangsListItems() {
        List<String> lines = TerminalScreen.wrap(List.of(
                "\033[1mThe alert\033[0m service pages the study team through a third-party messaging API.",
                "- a call that answers in time still returns its receipt"), 30);
        for (String line : lines) {
            assertTrue(AttributedString.fromAnsi(line).columnLength() <= 30, line);
        }
        assertEquals("The alert service pages the", AttributedString.fromAnsi(lines.get(0)).toString());
        assertTrue(lines.get(0).contains("\033["), "styles survive the wrap");
        assertEquals("- a call that answers in time", AttributedString.fromAnsi(lines.get(3)).toString());
        assertEquals("  still returns its receipt", AttributedString.fromAnsi(lines.get(4)).toString());
    }
}
