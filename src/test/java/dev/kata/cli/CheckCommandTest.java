package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kata.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kata check} end to end through the real grader (each check forks a JVM, so there are few of them). */
class CheckCommandTest {
    @TempDir
    Path temp;
    CliHarness kata;
    Path adder;
    Path ws;

    @BeforeEach
    void setUp() {
        kata = new CliHarness(temp);
        kata.env.put("XDG_CACHE_HOME", temp.resolve("cache").toString());
        ws = kata.initWorkspace();
        kata.run("start", "sum-up").expect(0);
        adder = ws.resolve("src/main/java/sumup/Adder.java");
    }

    @Test
    void aFailingCheckExitsWith1ExplainsAndLeavesTheFileAlone() throws IOException {
        String before = Files.readString(adder);
        FileTime modified = Files.getLastModifiedTime(adder);

        Run run = kata.run("check", "sum-up").expect(1).clean();

        assertTrue(run.out().startsWith("✘ sum-up fails: test-failure\n"), run.out());
        assertTrue(run.out().contains("expected: <5> but was: <-1>"), run.out());
        assertTrue(run.out().contains("kata hint sum-up"), run.out());
        assertEquals(before, Files.readString(adder));
        assertEquals(modified, Files.getLastModifiedTime(adder));
        JsonNode progress = new ObjectMapper().readTree(kata.run("progress", "--json").out());
        JsonNode record = progress.get("tracks").get(0).get("katas").get(0);
        assertEquals(1, record.get("attempts").asInt());
        assertEquals("test-failure", record.get("lastVerdict").get("reason").asText());
    }

    @Test
    void withoutAUtf8LocaleListAndCheckMarkInAsciiAsTheSessionDoes() {
        kata.env.put("LANG", "C");
        String list = kata.run("list").expect(0).out();
        assertTrue(list.contains("> sum-up") && list.contains("* count-down"), list);
        assertTrue(list.chars().noneMatch(c -> c == '▸' || c == '·' || c == '✔'), list);
        String check = kata.run("check", "sum-up").expect(1).out();
        assertTrue(check.startsWith("x sum-up fails: test-failure\n"), check);
    }

    @Test
    void hintsFillTheWidthAsTheSessionsKeyDoesKeepingCodeAndItems() throws IOException {
        Files.writeString(kata.install.resolve("katas/sum-up/hints.md"), """
                Look at the operator: the adder was written in a hurry, and the
                sign it uses is the wrong one.

                - an item that
                  goes on
                ```
                return a - b;
                ```
                """);
        kata.env.put("COLUMNS", "120");
        String hint = kata.run("--no-color", "hint", "sum-up").expect(0).out();
        assertTrue(hint.contains("Look at the operator: the adder was written in a hurry, and the sign it uses is the wrong one.\n"),
                hint);
        assertTrue(hint.contains("- an item that goes on\n    return a - b;\n"), hint);
        kata.env.put("COLUMNS", "40");
        String narrow = kata.run("--no-color", "hint", "sum-up", "--seen").expect(0).out();
        assertTrue(narrow.lines().allMatch(l -> l.length() <= 40), narrow);
    }

    @Test
    void aPassingCheckExitsWith0AndJsonHasTheVerdict() throws IOException {
        Files.writeString(adder, Files.readString(adder).replace("a - b", "a + b"));

        Run run = kata.run("check", "sum-up", "--json").expect(0);

        JsonNode verdict = new ObjectMapper().readTree(run.out());
        assertEquals("sum-up", verdict.get("kata").asText());
        assertEquals("pass", verdict.get("status").asText());
        assertTrue(verdict.get("reason").isNull());
        assertTrue(verdict.get("durationMs").asLong() > 0);
        assertEquals(2, verdict.get("tests").size());
        JsonNode test = verdict.get("tests").get(0);
        assertTrue(test.has("name") && test.has("status") && test.has("message"), test.toString());
        assertEquals("passed", new ObjectMapper().readTree(kata.run("list", "--json").out()).get(0).get("status").asText());
        kata.run("solution", "sum-up").expect(0);
    }

    @Test
    void aCompileErrorPointsAtTheLearnersLine() throws IOException {
        Files.writeString(adder, Files.readString(adder).replace("return a - b;", "return a - b"));
        kata.cwd = adder.getParent().getParent().getParent().getParent().getParent(); // the workspace root

        Run run = kata.run("check", "sum-up").expect(1).clean();

        assertTrue(run.out().startsWith("✘ sum-up fails: compile-error\n"), run.out());
        assertTrue(run.out().contains("src/main/java/sumup/Adder.java:8:21: error: ';' expected\n"), run.out());
    }

    @Test
    void aWorkspaceThatCannotBeWrittenIsGradedListedAndWarnedAbout() throws IOException {
        Path lock = ws.resolve(".kata/lock");
        Files.deleteIfExists(lock);
        Files.createDirectory(lock); // like a read-only mount: the progress lock cannot be opened for writing

        Run check = kata.run("check", "sum-up").expect(1);
        assertTrue(check.out().startsWith("✘ sum-up fails: test-failure\n"), check.out());
        assertTrue(check.err().contains("warning: this verdict was not recorded: cannot record your progress in "), check.err());
        assertTrue(kata.run("list").expect(0).out().contains("sum-up"));
        assertTrue(kata.run("progress").expect(0).out().contains("1 in progress"));
    }

    @Test
    void filesJavacWouldWordBadlyGetOneClearDiagnostic() throws IOException {
        String starter = Files.readString(adder);

        Files.writeString(adder, "");
        Run empty = kata.run("check", "sum-up").expect(1).clean();
        assertTrue(empty.out().contains("the file is empty: it must hold the class of the same name, in package sumup."), empty.out());

        Files.writeString(adder, starter.replace("package sumup;", "package com.acme.sums;"));
        Run other = kata.run("check", "sum-up").expect(1).clean();
        assertTrue(other.out().contains("the file declares package com.acme.sums; it must be `package sumup;`."), other.out());
        assertTrue(other.out().length() < 600, "one short diagnostic, not javac's repeated errors: " + other.out());

        byte[] latin1 = starter.replace("return", "/* caf\u00e9 */ return").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(adder, latin1);
        Run bytes = kata.run("check", "sum-up", "--json").expect(1);
        assertEquals("", bytes.err(), "nothing from javac on stderr");
        JsonNode verdict = new ObjectMapper().readTree(bytes.out());
        assertEquals("compile-error", verdict.get("reason").asText());
        assertTrue(verdict.toString().contains("not UTF-8"), verdict.toString());

        Files.delete(adder);
        Run missing = kata.run("check", "sum-up").expect(1).clean();
        assertTrue(missing.out().contains("this file is missing. `kata reset sum-up` puts the starter back"), missing.out());
    }
}
