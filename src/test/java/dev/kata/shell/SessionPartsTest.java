package dev.kata.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.render.Glyphs;
import dev.kata.render.Style;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The session's small parts that need no terminal. */
class SessionPartsTest {
    @Test
    void aPathTooLongLosesItsMiddleNeverItsFileName() {
        String path = "src/main/java/sumup/Adder.java:8";
        assertEquals(path, MiddlePath.fit(path, 40));
        assertEquals("src/…/sumup/Adder.java:8", MiddlePath.fit(path, 24));
        assertEquals("…/Adder.java:8", MiddlePath.fit(path, 15));
        assertEquals("Adder.java:8", MiddlePath.fit(path, 5));
    }

    @Test
    void theProgressBarShowsOnePassOfManyAndKeepsABoxForTheRest() {
        assertEquals("■□□□□□□□□□□□ 1 of 25 passed", Celebration.bar(Style.plain(), 1, 25, 12));
        assertEquals("■■■■■■■■■■■□ 24 of 25 passed", Celebration.bar(Style.plain(), 24, 25, 12));
        assertEquals("□□□ 0 of 3 passed", Celebration.bar(Style.plain(), 0, 3, 3));
        assertEquals("■■■ 3 of 3 passed", Celebration.bar(Style.plain(), 3, 3, 3));
    }

    @Test
    void withNoEditorNamedTheFileOpensInViAsGitDoes() {
        assertEquals("vi", EditorLauncher.editor(Map.of()));
        assertFalse(EditorLauncher.named(Map.of()));
        assertEquals("nano", EditorLauncher.editor(Map.of("EDITOR", "nano")));
        assertTrue(EditorLauncher.named(Map.of("EDITOR", "vi")));
    }

    @Test
    void theLocaleDecidesBetweenUnicodeAndAsciiMarks() {
        assertTrue(Glyphs.unicode(Map.of("LANG", "en_US.UTF-8")));
        assertTrue(Glyphs.unicode(Map.of("LC_ALL", "C.utf8", "LANG", "C")));
        assertFalse(Glyphs.unicode(Map.of("LC_ALL", "C", "LANG", "en_US.UTF-8")));
        assertFalse(Glyphs.unicode(Map.of()));
        assertEquals("+ sum-up passes ##.. v 3 more ...", Glyphs.ascii("✔ sum-up passes ■■□□ ↓ 3 more …"));
    }

    @Test
    void withNoEditorTheNoticeKeepsTheFileAndLineEvenAtSixtyColumns() {
        String file = "src/main/java/earlyexitmigration/PatientMigration.java:31";
        for (int width : new int[] {39, 59, 79, 119}) {
            String notice = EditorLauncher.noEditor(file, width, "…");
            assertTrue(notice.length() <= width, width + ": " + notice);
            assertTrue(notice.contains("PatientMigration.java:31"), width + ": " + notice);
        }
        assertTrue(EditorLauncher.noEditor(file, 119, "…").contains(file), "the whole path where it fits");
        assertTrue(EditorLauncher.noEditor(file, 49, "...").length() <= 49, "an ASCII cut is measured as it shows");
        assertTrue(EditorLauncher.noEditor(file, 200, "…").contains("export EDITOR="), "how to set one, where it fits");
    }

    @Test
    void theResetQuestionKeepsItsAnswerInSightAtAnyWidth() {
        for (int width : new int[] {19, 39, 59, 79, 119}) {
            String question = StatusBar.resetQuestion(Style.plain(), "early-exit-migration", width);
            assertTrue(question.length() <= width, width + ": " + question);
            assertTrue(question.contains("y resets") || question.endsWith("[y/N]"), width + ": " + question);
        }
        assertEquals("Reset early-exit-migration? y resets, other keys keep it.",
                StatusBar.resetQuestion(Style.plain(), "early-exit-migration", 59));
    }

    @Test
    void commandsSuggestedInOutputAreTypedAtThePrompt() {
        assertEquals("Run `:hint sum-up` again for the next one.",
                SessionWording.forSession("Run `kata hint sum-up` again for the next one."));
        assertEquals("\033[36m:check sum-up\033[0m", SessionWording.forSession("\033[36mkata check sum-up\033[0m"));
        assertEquals("your kata workspace", SessionWording.forSession("your kata workspace"));
    }

    @Test
    void aMistypedCommandPointsToTheSessionsHelp() {
        assertEquals("kata: 'lsit' is not a kata command. Did you mean 'list'?\nTry `:help`.",
                SessionWording.forSession("kata: 'lsit' is not a kata command. Did you mean 'list'?\nTry `kata --help`."));
        assertEquals("Try `:check --help`.", SessionWording.forSession("Try `kata check --help`."));
    }
}
