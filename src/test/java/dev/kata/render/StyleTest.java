package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.render.Style.ColorMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StyleTest {
    @Test
    void aNonEmptyNoColorTurnsColourOff() {
        assertFalse(Style.detect(ColorMode.AUTO, Map.of("NO_COLOR", "1"), true).color());
        assertTrue(Style.detect(ColorMode.AUTO, Map.of("NO_COLOR", ""), true).color(), "no-color.org: an empty value does not count");
        assertEquals("✘", Style.detect(ColorMode.AUTO, Map.of("NO_COLOR", "yes", "LANG", "C.UTF-8"), true).failMark());
    }

    @Test
    void aDumbTerminalGetsNoColour() {
        assertFalse(Style.detect(ColorMode.AUTO, Map.of("TERM", "dumb"), true).color());
        assertTrue(Style.detect(ColorMode.AUTO, Map.of("TERM", "xterm-256color"), true).color());
    }

    @Test
    void colourOnlyOnATerminal() {
        assertTrue(Style.detect(ColorMode.AUTO, Map.of(), true).color());
        assertFalse(Style.detect(ColorMode.AUTO, Map.of(), false).color());
    }

    @Test
    void flagsWin() {
        assertTrue(Style.detect(ColorMode.ALWAYS, Map.of("NO_COLOR", "1"), false).color());
        assertFalse(Style.detect(ColorMode.NEVER, Map.of(), true).color());
    }

    @Test
    void theMarksAreAsciiWhenTheLocaleIsNotUtf8AsInTheSession() {
        assertEquals("+", Style.detect(ColorMode.NEVER, Map.of("LANG", "C"), true).passMark());
        assertEquals("x", Style.detect(ColorMode.NEVER, Map.of(), false).failMark(), "no locale at all is POSIX");
        assertEquals("> *", Style.detect(ColorMode.NEVER, Map.of("LC_ALL", "POSIX"), false).marks("▸ ·"));
        assertEquals("✔", Style.detect(ColorMode.AUTO, Map.of("LANG", "en_US.UTF-8"), false).passMark(),
                "piped, but a UTF-8 locale: Unicode as before");
    }

    @Test
    void launcherTellsWhetherStdoutIsATerminal() {
        assertTrue(Style.stdoutIsTerminal(Map.of("KATA_STDOUT_TTY", "1")));
        assertFalse(Style.stdoutIsTerminal(Map.of("KATA_STDOUT_TTY", "0")));
    }

    @Test
    void plainStyleAddsNoEscapes() {
        Style plain = Style.plain();
        assertEquals("x", plain.bold("x") + plain.red("") + plain.dim(""));
        assertEquals("`code`", plain.code("code"));
        assertEquals("\u001b[31mx\u001b[m", Style.colored().red("x"));
    }
}
