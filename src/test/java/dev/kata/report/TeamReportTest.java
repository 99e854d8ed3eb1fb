package dev.kata.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.KataException;
import dev.kata.render.Style;
import dev.kata.render.TeamReportMarkdown;
import dev.kata.render.TeamReportText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging learners' exports: who solved what, where people get stuck. */
class TeamReportTest {
    @TempDir
    Path temp;

    @Test
    void theReportCountsSolvedChecksAndHintsPerKataHardestFirst() throws IOException {
        TeamReport report = TeamReport.of(List.of(
                read("ann.json", export("Ann", "2026-03-04T00:00:00Z",
                        kata("sum-up", "passed", 2, 0, null), kata("greet-all", "in-progress", 6, 2, "race"),
                        kata("count-down", "not-started", 0, 0, null))),
                read("bob.json", export("Bob", "2026-03-04T00:00:00Z",
                        kata("sum-up", "passed", 1, 1, null), kata("greet-all", "passed", 4, 1, null),
                        kata("count-down", "in-progress", 1, 0, "test-failure")))));

        assertEquals(List.of("sum-up", "greet-all", "count-down"), report.katas().stream().map(TeamReport.KataColumn::id).toList());
        assertEquals(List.of("greet-all", "sum-up", "count-down"), report.stuckOn().stream().map(TeamReport.KataStats::id).toList());
        TeamReport.KataStats greet = report.stuckOn().get(0);
        assertEquals(2, greet.started());
        assertEquals(1, greet.solved());
        assertEquals(10, greet.checks());
        assertEquals(3, greet.hints());
        assertEquals(6, greet.mostChecks());
        assertEquals("Ann", greet.mostChecksBy());
        assertEquals(Map.of("race", 1), greet.lastFailures());
        assertEquals(List.of("Ann greet-all", "Bob count-down"),
                report.stuck().stream().map(s -> s.learner() + " " + s.kataId()).toList());
        assertTrue(report.notes().isEmpty(), report.notes().toString());
    }

    @Test
    void aLearnerWhoSentTwoExportsCountsOnceWithTheNewer() throws IOException {
        TeamReport report = TeamReport.of(List.of(
                read("ann-new.json", export("Ann", "2026-03-05T00:00:00Z", kata("sum-up", "passed", 3, 0, null))),
                read("ann-old.json", export("Ann", "2026-03-01T00:00:00Z", kata("sum-up", "in-progress", 1, 0, "race")))));

        assertEquals(1, report.learners().size());
        assertEquals("ann-new.json", report.learners().get(0).source());
        assertTrue(report.stuck().isEmpty());
        assertEquals(List.of("ann-old.json and ann-new.json are both Ann's: the report uses ann-new.json, the newer one."),
                report.notes());
    }

    @Test
    void exportsOfDifferentPacksAreMergedWithANote() throws IOException {
        TeamReport report = TeamReport.of(List.of(
                read("ann.json", export("Ann", "2026-03-04T00:00:00Z", kata("sum-up", "passed", 1, 0, null))),
                read("bob.json", export("Bob", "2026-03-04T00:00:00Z", kata("count-down", "passed", 1, 0, null))
                        .replace("\"version\": \"1.0\"", "\"version\": \"2.0\""))));

        assertEquals(2, report.katas().size());
        assertTrue(report.notes().get(0).startsWith("The exports come from different packs: team 1.0 (1), team 2.0 (1)."),
                report.notes().toString());
        String text = new TeamReportText(Style.plain(), 100).render(report);
        assertTrue(text.contains("  Ann  ✔ 1                 1 of 1\n  Bob          ✔ 1         1 of 1\n"), text);
    }

    @Test
    void textAndMarkdownShowTheGridTheStuckTableAndWhoIsStuck() throws IOException {
        TeamReport report = TeamReport.of(List.of(
                read("ann.json", export("Ann | A", "2026-03-04T00:00:00Z",
                        kata("sum-up", "passed", 2, 0, null), kata("greet-all", "in-progress", 6, 2, "race"))),
                read("bob.json", export("Bob", "2026-03-04T00:00:00Z",
                        kata("sum-up", "not-started", 0, 0, null), kata("greet-all", "not-started", 0, 0, null)))));

        String text = new TeamReportText(Style.plain(), 100).render(report);
        String md = new TeamReportMarkdown(ZoneOffset.UTC).render(report);

        assertTrue(text.startsWith("Team report: 2 learners  pack team 1.0\n"), text);
        assertTrue(text.contains("""
                           sum-up  greet-all  solved
                  Ann | A  ✔ 2     ▸ 6        1 of 2
                  Bob      ·       ·          0 of 2
                """), text);
        assertTrue(text.contains("  greet-all  0 of 2  1        6       6 (Ann | A)  2      race ×1\n"), text);
        assertTrue(text.contains("  Ann | A on greet-all: 6 checks, 2 hints, last check: race\n"), text);
        assertTrue(md.contains("| Learner | `sum-up` | `greet-all` | Solved | Exported |\n|---|---|---|---:|---|\n"
                + "| Ann \\| A | ✅ 2 | 🔶 6 | 1 of 2 | 2026-03-04 |\n"), md);
        assertTrue(md.contains("| `greet-all` greet-all title | 0 of 2 | 1 | 6 | 6 (Ann \\| A) | 2 | race ×1 |"), md);
        assertTrue(md.contains("- **Ann \\| A** on `greet-all`: 6 checks, 2 hints, last check: **race** (it failed)"), md);
    }

    @Test
    void markdownGivesTheGistOfALongFailureAndItsFullTextBelowLinkedFromIt() throws IOException {
        String longSummary = "3 threads are still running after the test: pool-1-thread-1, pool-1-thread-2 and "
                + "pool-1-thread-3, all waiting in LinkedBlockingQueue.take. " + "Shut the pool down when you are done. ".repeat(12);
        TeamReport report = TeamReport.of(List.of(read("ann.json", export("Ann", "2026-03-04T00:00:00Z",
                kata("greet-all", "in-progress", 6, 2, "thread-leak").replace("it failed", longSummary)))));

        String md = new TeamReportMarkdown(ZoneOffset.UTC).render(report);

        String item = md.lines().filter(l -> l.startsWith("- **Ann**")).findFirst().orElseThrow();
        assertTrue(item.length() < 250, "a gist, not the whole message: " + item);
        assertTrue(item.endsWith("last check: **thread-leak** (3 threads are still running after the test: pool-1-thread-1, "
                + "pool-1-thread-2 and pool-1-thread-3… [more](#ann-on-greet-all))"), item);
        assertTrue(md.contains("\n### Last failures in full\n\n#### Ann on greet-all\n\n3 threads are still running"), md);
        assertTrue(md.contains("Shut the pool down when you are done. Shut the pool down"), md);
    }

    @Test
    void aNarrowTerminalGetsALinePerLearnerInsteadOfTheGrid() throws IOException {
        TeamReport report = TeamReport.of(List.of(read("ann.json", export("Ann", "2026-03-04T00:00:00Z",
                kata("sum-up", "passed", 2, 0, null), kata("greet-all", "in-progress", 6, 2, "race")))));

        String text = new TeamReportText(Style.plain(), 24).render(report);

        assertTrue(text.contains("  Ann  1 of 2 solved\n    ✔ sum-up 2\n    ▸ greet-all 6\n"), text);
    }

    @Test
    void badExportsNameTheFileAndTheField() throws IOException {
        ExportReader reader = new ExportReader();
        Path notJson = write("a.json", "{ nope");
        Path noFormat = write("b.json", "{\"learner\": \"x\"}");
        Path newer = write("c.json", "{\"format\": 2}");
        Path badCount = write("d.json", export("Ann", "2026-03-04T00:00:00Z", kata("sum-up", "passed", 2, 0, null))
                .replace("\"attempts\": 2", "\"attempts\": -2"));
        Path badStatus = write("e.json", export("Ann", null, kata("sum-up", "done", 2, 0, null)));

        assertTrue(fails(reader, notJson).startsWith("a.json: not JSON"));
        assertTrue(fails(reader, noFormat).startsWith("b.json: not a kata progress export"));
        assertEquals("c.json: format: 2 is newer than this kata reads (1): update kata to merge this export",
                fails(reader, newer));
        assertEquals("d.json: tracks[0].katas[0].attempts: must be a whole number of at least 0, got -2",
                fails(reader, badCount));
        assertEquals("e.json: tracks[0].katas[0].status: 'done' is not one of not-started, in-progress, passed",
                fails(reader, badStatus));
    }

    private static String fails(ExportReader reader, Path file) {
        return assertThrows(KataException.class, () -> reader.read(file, file.getFileName().toString())).getMessage();
    }

    private LearnerExport read(String name, String json) throws IOException {
        return new ExportReader().read(write(name, json), name);
    }

    private Path write(String name, String json) throws IOException {
        return Files.writeString(temp.resolve(name), json);
    }

    /** An export as `kata progress --format json` writes it, with one track. */
    private static String export(String learner, String at, String... katas) {
        return """
                {"format": 1, "learner": "%s", "pack": {"name": "team", "version": "1.0"}, "exportedAt": %s,
                 "tracks": [{"id": "basics", "title": "Basics", "katas": [%s]}]}
                """.formatted(learner, at == null ? "null" : "\"" + at + "\"", String.join(",", katas));
    }

    private static String kata(String id, String status, int attempts, int hints, String reason) {
        String verdict = reason == null ? "null"
                : "{\"status\": \"fail\", \"reason\": \"" + reason + "\", \"summary\": \"it failed\", \"at\": \"2026-03-03T00:00:00Z\"}";
        return """
                {"id": "%s", "title": "%s title", "status": "%s", "startedAt": %s, "solvedAt": null,
                 "attempts": %d, "hintsUsed": %d, "lastVerdict": %s}
                """.formatted(id, id, status, status.equals("not-started") ? "null" : "\"2026-03-01T00:00:00Z\"",
                attempts, hints, verdict);
    }
}
