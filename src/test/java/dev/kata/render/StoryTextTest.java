package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoryTextTest {
    static final String STORY = """
            # The alert that never returns

            ## The story
            A **slow** gateway and `SynchronousQueue.put`.

            ```java
            queue.put(receipt);
            ```
            """;

    @Test
    void plainKeepsTheTextReadable() {
        assertEquals("""
                The alert that never returns

                The story
                A slow gateway and `SynchronousQueue.put`.

                    queue.put(receipt);
                """, new StoryText(Style.plain()).render(STORY));
    }

    @Test
    void colouredStylesHeadingsAndCode() {
        String shown = new StoryText(Style.colored()).render(STORY);

        assertTrue(shown.contains(Style.colored().heading("The alert that never returns")), shown);
        assertTrue(shown.contains(Style.colored().cyan("SynchronousQueue.put")), shown);
        assertTrue(shown.contains("    " + Style.colored().cyan("queue.put(receipt);")), shown);
    }

    @Test
    void emphasisIsItalicInColourAndLosesItsStarsWhenPlain() {
        String line = "a request for a *different* patient, 2 * 3 * 4, and\n* a list item";

        assertEquals("a request for a different patient, 2 * 3 * 4, and\n* a list item\n", new StoryText(Style.plain()).render(line));
        assertTrue(new StoryText(Style.colored()).render(line).contains(Style.colored().italic("different")));
    }
}
