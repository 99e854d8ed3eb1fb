package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kata.cli.CliHarness.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A team's pack from the command line: {@code kata new}, {@code kata validate --pack}, {@code kata init --pack}. */
class PackCommandsTest {
    @TempDir
    Path temp;
    CliHarness kata;

    @BeforeEach
    void setUp() {
        kata = new CliHarness(temp);
        kata.env.put("XDG_CACHE_HOME", temp.resolve("cache").toString());
    }

    @Test
    void aScaffoldedKataValidatesRightAwayOnEveryRun() throws IOException {
        Run created = kata.run("new", "billing-export", "--pack", "repo/team").expect(0).clean();
        assertTrue(created.out().contains("Created repo/team/billing-export/"), created.out());
        assertTrue(created.out().contains("kata validate --pack repo/team billing-export"), created.out());

        Path manifest = kata.cwd.resolve("repo/team/pack.toml");
        Files.writeString(manifest, Files.readString(manifest).replace("[[tracks]]", "include = [\"sum-up\"]\n\n[[tracks]]"));

        Run run = kata.run("validate", "--pack", "repo/team", "--repeat", "2", "--json").expect(0);

        JsonNode result = new ObjectMapper().readTree(run.out());
        assertTrue(result.get("ok").asBoolean(), run.out());
        assertEquals(1, result.get("katas").size(), "the included built-in kata is not graded: " + run.out());
        assertEquals("billing-export", result.get("katas").get(0).get("id").asText());
        JsonNode variants = result.get("katas").get(0).get("variants");
        assertEquals(List.of("starter", "solution", "mutant:example"), labels(variants));
        assertEquals("[\"lost-work\",\"lost-work\"]", variants.get(0).get("verdicts").toString(),
                "the starter fails for its pitfall, on every run");
        assertEquals("[\"pass\",\"pass\"]", variants.get(1).get("verdicts").toString());
        assertEquals(2, variants.get(2).get("runs").asInt());
    }

    @Test
    void aMutantPatchThatNoLongerAppliesIsNamedByValidate() throws IOException {
        kata.run("new", "billing-export", "--pack", "team").expect(0);
        Path solution = kata.cwd.resolve("team/billing-export/solution/ReportExporter.java");
        Files.writeString(solution, Files.readString(solution).replace("writer.join();", "writer.join(); // every writer"));

        Run run = kata.run("validate", "--pack", "team").expect(1);

        assertTrue(run.out().contains("mutants/example.patch: does not apply to the solution's ReportExporter.java"),
                run.out());
    }

    @Test
    void generatedMutantsAreGradedAndASurvivorFailsUntilDeclaredEquivalent() throws IOException {
        kata.run("new", "billing-export", "--pack", "team").expect(0);
        Path kataDir = kata.cwd.resolve("team/billing-export");
        Path tests = kataDir.resolve("tests/ReportExporterTest.java");
        String source = Files.readString(tests);
        int from = source.indexOf("    @Test\n    void anInterruptedCallerKeepsItsInterrupt()");
        int to = source.indexOf("    @Test\n    void anEmptyReportWritesNothing()");
        Files.writeString(tests, source.substring(0, from) + source.substring(to));
        Files.writeString(kataDir.resolve("contract.toml"), Files.readString(kataDir.resolve("contract.toml"))
                .replace("\"anInterruptedCallerKeepsItsInterrupt\"", "\"anEmptyReportWritesNothing\""));

        Run survived = kata.run("validate", "--pack", "team", "--mutate").expect(1); // its diff names exceptions

        String id = "remove-call:ReportExporter.java:export:2";
        assertTrue(survived.out().contains("generated mutants: 2 · 1 do not compile · 0 killed · 0 equivalent · 1 survive"),
                survived.out());
        assertTrue(survived.out().contains("survivor " + id), survived.out());
        assertTrue(survived.out().contains("-            Thread.currentThread().interrupt();"), survived.out());

        Files.writeString(kataDir.resolve("kata.toml"), "\n[equivalent]\n\"" + id + "\" = \"for this demo only\"\n",
                java.nio.file.StandardOpenOption.APPEND);
        Run declared = kata.run("validate", "--pack", "team", "--mutate", "--json").expect(0);

        JsonNode mutation = new ObjectMapper().readTree(declared.out()).get("katas").get(0).get("mutation");
        assertEquals(2, mutation.get("generated").asInt(), declared.out());
        assertEquals(1, mutation.get("notCompiled").asInt());
        assertEquals(1, mutation.get("equivalent").asInt());
        assertEquals(0, mutation.get("survived").asInt());
    }

    @Test
    void aPackThatBreaksTheFormatIsReportedByFileAndField() throws IOException {
        kata.run("new", "billing-export", "--pack", "team").expect(0);
        Path toml = kata.cwd.resolve("team/billing-export/kata.toml");
        Files.writeString(toml, Files.readString(toml).replace("pitfall = \"lost-work\"", "pitfall = \"lost-wrok\""));

        Run text = kata.run("validate", "--pack", "team").expect(2).clean();
        Run json = kata.run("validate", "--pack", "team", "--json").expect(2);

        assertTrue(text.err().contains("team/billing-export/kata.toml: pitfall: 'lost-wrok' is not a verdict reason"),
                text.err());
        JsonNode problems = new ObjectMapper().readTree(json.out()).get("problems");
        assertTrue(problems.get(0).asText().startsWith("team/billing-export/kata.toml: pitfall: 'lost-wrok'"), json.out());
    }

    @Test
    void initOnAPackSavesItRelativeToTheWorkspaceAndUsesIt() throws IOException {
        kata.run("new", "billing-export", "--pack", "repo/team").expect(0);
        Path manifest = kata.cwd.resolve("repo/team/pack.toml");
        Files.writeString(manifest, Files.readString(manifest)
                .replace("[[tracks]]", "include = [\"sum-up\"]\n\n[[tracks]]"));

        Run init = kata.run("init", "ws", "--pack", "repo/team").expect(0).clean();

        assertTrue(init.out().contains("It uses the pack team 0.1.0 (2 katas)"), init.out());
        String settings = Files.readString(kata.cwd.resolve("ws/.kata/workspace.toml"));
        assertTrue(settings.contains("\npack = \"../repo/team\"\n"), settings);
        kata.cwd = kata.cwd.resolve("ws/src/main/java");
        JsonNode list = new ObjectMapper().readTree(kata.run("list", "--json").expect(0).out());
        assertEquals(List.of("sum-up", "billing-export"), ids(list));
        Run start = kata.run("start", "billing-export").expect(0);
        assertTrue(Files.isRegularFile(kata.cwd.resolve("billingexport/ReportExporter.java")), start.out());
        Run notIncluded = kata.run("start", "greet-all").expect(2).clean();
        assertTrue(notIncluded.err().startsWith("kata: 'greet-all' is a built-in kata, but not in this workspace's pack (team, "),
                notIncluded.err());
    }

    @Test
    void initRefusesABrokenPackAndCreatesNothing() {
        Run run = kata.run("init", "ws", "--pack", "nowhere").expect(2).clean();

        assertTrue(run.err().contains("nowhere/pack.toml: missing"), run.err());
        assertFalse(Files.exists(kata.cwd.resolve("ws")));
    }

    @Test
    void aWorkspaceWhosePackIsGoneSaysWhichSettingToFix() throws IOException {
        kata.run("new", "billing-export", "--pack", "team").expect(0);
        kata.run("init", "ws", "--pack", "team").expect(0);
        Files.move(kata.cwd.resolve("team"), kata.cwd.resolve("moved"));
        kata.cwd = kata.cwd.resolve("ws");

        Run run = kata.run("list").expect(2).clean();

        assertTrue(run.err().startsWith("kata: .kata/workspace.toml: pack: " + kata.cwd.resolveSibling("team")
                + " does not exist"), run.err());
    }

    @Test
    void theTeamCommandsHaveHelp() {
        for (String command : List.of("new", "validate", "report", "progress", "init")) {
            Run run = kata.run(command, "--help").expect(0);
            assertTrue(run.out().startsWith("Usage: kata " + command), run.out());
        }
        assertTrue(kata.run("init", "--help").out().contains("--pack=PATH"));
        assertTrue(kata.run("validate", "--help").out().contains("--pack=PATH"));
        assertTrue(kata.run("progress", "--help").out().contains("--format=FORMAT"));
    }

    @Test
    void newRefusesAnExistingKataAndABadId() {
        kata.run("new", "billing-export", "--pack", "team").expect(0);

        assertTrue(kata.run("new", "billing-export", "--pack", "team").expect(2).clean().err().contains("already exists"));
        assertTrue(kata.run("new", "Billing", "--pack", "team").expect(2).clean().err().contains("is not a kata id"));
        assertTrue(kata.run("new", "x").expect(2).err().contains("--pack"), "--pack is required");
    }

    private static List<String> labels(JsonNode variants) {
        List<String> out = new ArrayList<>();
        variants.forEach(v -> out.add(v.get("variant").asText()));
        return out;
    }

    private static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(k -> out.add(k.get("id").asText()));
        return out;
    }
}
