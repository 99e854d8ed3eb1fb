package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kata.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code kata progress --format ...} and {@code kata report} end to end: two learners, one lead. */
class ExportCommandsTest {
    @TempDir
    Path temp;
    CliHarness kata;
    Path ws;

    @BeforeEach
    void setUp() throws IOException {
        kata = new CliHarness(temp);
        ws = kata.initWorkspace();
        kata.run("start", "sum-up").expect(0);
        kata.run("hint", "sum-up").expect(0);
        Files.writeString(ws.resolve(".kata/progress.json"), """
                {"format": 1, "katas": {
                  "sum-up": {"status": "in-progress", "startedAt": "2026-03-01T09:00:00Z", "solvedAt": null,
                             "attempts": 4, "hintsUsed": 2,
                             "lastVerdict": {"status": "fail", "reason": "test-failure", "summary": "expected <5> & more",
                                             "at": "2026-03-02T09:00:00Z"}},
                  "greet-all": {"status": "passed", "startedAt": "2026-03-01T10:00:00Z", "solvedAt": "2026-03-01T11:00:00Z",
                                "attempts": 1, "hintsUsed": 0,
                                "lastVerdict": {"status": "pass", "reason": null, "summary": "all passed",
                                                "at": "2026-03-01T11:00:00Z"}}}}
                """);
    }

    @Test
    void theLearnerIsTheOptionElseGitsUserNameElseUser() throws IOException {
        assertEquals("Ann", learner(kata.run("progress", "--format", "json", "--learner", "Ann").expect(0)));

        kata.env.put("USER", "ann-login");
        assertEquals("ann-login", learner(kata.run("progress", "--json").expect(0)));

        Files.writeString(kata.home.resolve(".gitconfig"), "[user]\n\tname = Ann From Git\n");
        assertEquals("Ann From Git", learner(kata.run("progress", "--format", "json").expect(0)));
    }

    @Test
    void junitHasOneTestcasePerKataAndParses() throws Exception {
        Run run = kata.run("progress", "--format", "junit", "--learner", "Ann").expect(0);

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(run.out().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("3", doc.getDocumentElement().getAttribute("tests"));
        assertEquals("1", doc.getDocumentElement().getAttribute("failures"));
        assertEquals("1", doc.getDocumentElement().getAttribute("skipped"));
        assertEquals("test-failure: expected <5> & more",
                ((org.w3c.dom.Element) doc.getElementsByTagName("failure").item(0)).getAttribute("message"));
    }

    @Test
    void markdownAndAnUnknownFormat() {
        Run md = kata.run("progress", "--format", "markdown", "--learner", "Ann").expect(0);
        assertTrue(md.out().contains("| `sum-up` The adder that subtracts | 🔶 in progress | 2026-03-01 |  | 4 | 2 |"),
                md.out());

        Run bad = kata.run("progress", "--format", "yaml").expect(2).clean();
        assertTrue(bad.err().contains("'yaml' is not a format: use text, json, junit or markdown"), bad.err());
    }

    @Test
    void aLeadMergesTheExportsIntoOneReport() throws IOException {
        Path exports = Files.createDirectories(temp.resolve("exports"));
        Files.writeString(exports.resolve("ann.json"), kata.run("progress", "--format", "json", "--learner", "Ann").expect(0).out());
        Files.writeString(ws.resolve(".kata/progress.json"), "{\"format\": 1, \"katas\": {}}"); // Bob has only started sum-up
        Files.writeString(exports.resolve("bob.json"), kata.run("progress", "--format", "json", "--learner", "Bob").expect(0).out());
        kata.cwd = temp;

        Run text = kata.run("report", "exports/ann.json", "exports/bob.json").expect(0).clean();
        Run md = kata.run("report", "exports", "--format", "markdown").expect(0);

        assertTrue(text.out().startsWith("Team report: 2 learners  pack mini 0.0.1\n"), text.out());
        assertTrue(text.out().contains("  Ann  ▸ 4     ✔ 1        ·           1 of 3\n"
                + "  Bob  ▸       ·          ·           0 of 3\n"), text.out());
        assertTrue(text.out().contains("  sum-up     0 of 2  2        4       4 (Ann)      2      test-failure ×1\n"), text.out());
        assertTrue(text.out().contains("  Ann on sum-up: 4 checks, 2 hints, last check: test-failure\n"), text.out());
        assertTrue(md.out().contains("| Ann | 🔶 4 | ✅ 1 | ⬜ | 1 of 3 | 2026-03-04 |"), md.out());
    }

    @Test
    void aReportOfSomethingElseSaysWhatAnExportIs() throws IOException {
        Files.writeString(temp.resolve("notes.json"), "[1, 2]");
        kata.cwd = temp;

        Run run = kata.run("report", "notes.json").expect(2).clean();
        Run missing = kata.run("report", "nope.json").expect(2).clean();

        assertTrue(run.err().contains("notes.json: not a kata progress export"), run.err());
        assertTrue(run.err().contains("kata progress --format json > FILE"), run.err());
        assertTrue(missing.err().contains("nope.json: no such file"), missing.err());
    }

    private static String learner(Run run) throws IOException {
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertEquals(1, root.get("format").asInt());
        return root.get("learner").asText();
    }
}
