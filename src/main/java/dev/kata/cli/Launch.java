package dev.kata.cli;

import dev.kata.catalog.BuiltInPack;
import dev.kata.render.AsciiWriter;
import dev.kata.render.Glyphs;
import dev.kata.render.Style;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Everything a run of the command line takes from the world outside, so that tests can run it
 * in-process with their own folders, environment and streams.
 *
 * @param kataHome       the {@code kata.home} system property (the install folder), or null
 * @param codeLocation   the jar or classes folder the tutor runs from, or null
 * @param stdoutTerminal whether stdout is a terminal (colour, spinner)
 */
public record Launch(
        PrintWriter out,
        PrintWriter err,
        Map<String, String> env,
        Path cwd,
        Path home,
        String kataHome,
        Path codeLocation,
        boolean stdoutTerminal,
        Clock clock) {

    public Launch {
        env = Map.copyOf(env);
        cwd = cwd.toAbsolutePath().normalize();
        home = home.toAbsolutePath().normalize();
    }

    /** Where the grader keeps its caches: {@code $XDG_CACHE_HOME/kata}, else {@code ~/.cache/kata}. */
    public Path cacheDir() {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg).resolve("kata");
        }
        return home.resolve(".cache").resolve("kata");
    }

    /**
     * The real process: System streams as UTF-8 (in ASCII where the locale's charset is not UTF-8),
     * the real environment and folders.
     */
    public static Launch system() {
        Map<String, String> env = System.getenv();
        return new Launch(
                writer(new FileOutputStream(FileDescriptor.out), env),
                writer(new FileOutputStream(FileDescriptor.err), env),
                env,
                Path.of(System.getProperty("user.dir")),
                Path.of(System.getProperty("user.home")),
                System.getProperty("kata.home"),
                BuiltInPack.codeLocation(),
                Style.stdoutIsTerminal(env),
                Clock.systemDefaultZone());
    }

    /** A writer of text to {@code stream}: UTF-8, or ASCII where the locale's charset is not UTF-8. */
    static PrintWriter writer(OutputStream stream, Map<String, String> env) {
        Writer utf8 = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
        return new PrintWriter(Glyphs.unicode(env) ? utf8 : new AsciiWriter(utf8), true);
    }
}
