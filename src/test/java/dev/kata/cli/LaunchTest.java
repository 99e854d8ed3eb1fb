package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchTest {
    private static final String LINE = "  · early-exit-migration ✔ passed — 2 of 3 … ⠋";

    @Test
    void aUtf8LocaleGetsTheTextAsItIs() {
        assertEquals(LINE + "\n", written(Map.of("LANG", "en_US.UTF-8")));
    }

    @Test
    void anotherCharsetGetsEveryLineInAscii() {
        assertEquals("  * early-exit-migration + passed - 2 of 3 ... |\n", written(Map.of("LC_ALL", "C")));
        assertEquals("  * early-exit-migration + passed - 2 of 3 ... |\n", written(Map.of()));
    }

    private static String written(Map<String, String> env) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter out = Launch.writer(bytes, env);
        out.println(LINE);
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
