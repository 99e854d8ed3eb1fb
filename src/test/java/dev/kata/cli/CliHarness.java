package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kata.TestPacks;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the command line in-process, as {@code kata} would run, but with folders, environment and
 * streams of the test's own: an install holding the mini pack, a home and a current folder in a
 * temporary directory. The real ~/kata-workspace is never touched.
 */
final class CliHarness {
    final Path install;
    final Path home;
    final Map<String, String> env = new HashMap<>();
    Path cwd;
    boolean terminal;
    Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);

    CliHarness(Path temp) {
        env.put("LANG", "C.UTF-8"); // a UTF-8 locale, as most terminals have: the marks are Unicode
        env.put("KATA_DAEMON", "off"); // no grader daemon outliving the test (see daemon.DaemonTest)
        try {
            install = temp.resolve("install");
            TestPacks.copyMini(install.resolve("katas"));
            home = Files.createDirectories(temp.resolve("home"));
            cwd = Files.createDirectories(temp.resolve("work"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Run(int code, String out, String err) {
        Run expect(int expected) {
            assertEquals(expected, code, () -> "exit code; out:\n" + out + "\nerr:\n" + err);
            return this;
        }

        /** Nothing that looks like a Java stack trace, in either stream. */
        Run clean() {
            for (String text : new String[] {out, err}) {
                assertFalse(text.matches("(?s).*\\n\\s+at [\\w.$]+\\(.*"), () -> "stack trace in:\n" + text);
                assertFalse(text.contains("Exception"), () -> "exception name in:\n" + text);
            }
            return this;
        }
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Launch launch = new Launch(new PrintWriter(out), new PrintWriter(err), env, cwd, home, install.toString(), null,
                terminal, clock);
        int code = Main.run(launch, args);
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code kata init ws} and makes it the current folder. */
    Path initWorkspace() {
        Path ws = cwd.resolve("ws");
        run("init", "ws").expect(0);
        cwd = ws;
        return ws;
    }
}
