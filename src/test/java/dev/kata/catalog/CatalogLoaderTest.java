package dev.kata.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.TestPacks;
import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogLoaderTest {
    @TempDir
    Path temp;
    Path pack;

    @BeforeEach
    void copyPack() {
        pack = TestPacks.copyMini(temp.resolve("katas"));
    }

    @Test
    void loadsTracksAndKatasInOrder() {
        Catalog catalog = new CatalogLoader().load(pack);

        assertEquals("mini", catalog.name());
        assertEquals("0.0.1", catalog.version());
        assertEquals(List.of("basics", "more"), catalog.tracks().stream().map(Track::id).toList());
        assertEquals(List.of("sum-up", "greet-all", "count-down"), catalog.katas().stream().map(Kata::id).toList());
        Kata sumUp = catalog.require("sum-up");
        assertEquals("sumup", sumUp.javaPackage());
        assertEquals(List.of("Adder.java"), sumUp.files());
        assertEquals(Reason.TEST_FAILURE, sumUp.pitfall());
        assertEquals("basics", sumUp.track());
        assertEquals(Duration.ofMillis(2000), sumUp.testTimeout());
        assertEquals(Duration.ofMillis(30000), sumUp.checkTimeout());
        assertEquals(List.of("Greeter.java", "Names.java"), catalog.require("greet-all").files());
        assertEquals("Adds one too many.", sumUp.mutants().get("off-by-one"));
    }

    @Test
    void unknownPitfallNamesFileFieldAndChoices() throws IOException {
        replace("sum-up/kata.toml", "pitfall = \"test-failure\"", "pitfall = \"leek\"");

        String message = loadFails();

        assertTrue(message.contains("katas/sum-up/kata.toml: pitfall: 'leek' is not a verdict reason (one of: leak, deadlock,"),
                message);
    }

    @Test
    void missingFieldAndUnknownFieldAreNamed() throws IOException {
        replace("sum-up/kata.toml", "summary = \"A sum that is not one.\"", "sumary = \"typo\"");

        String message = loadFails();

        assertTrue(message.contains("katas/sum-up/kata.toml: summary: missing"), message);
        assertTrue(message.contains("katas/sum-up/kata.toml: sumary: unknown field"), message);
    }

    @Test
    void missingStarterFolderIsNamed() throws IOException {
        deleteTree(pack.resolve("count-down/starter"));

        assertTrue(loadFails().contains("katas/count-down/starter: missing folder"));
    }

    @Test
    void solutionWithAFileTheStarterLacksIsRejected() throws IOException {
        Files.move(pack.resolve("sum-up/solution/Adder.java"), pack.resolve("sum-up/solution/Summer.java"));

        String message = loadFails();

        assertTrue(message.contains("katas/sum-up/solution/Summer.java: is not in starter/: a variant holds only "
                + "the starter files it changes"), message);
    }

    @Test
    void aVariantHoldsOnlyTheFilesItChanges() {
        Kata greet = new CatalogLoader().load(pack).require("greet-all");

        assertEquals(List.of(pack.resolve("greet-all/solution/Greeter.java"), pack.resolve("greet-all/starter/Names.java")),
                greet.variantFiles(greet.solutionDir()));
        assertEquals(List.of("Greeter.java"), greet.solutionChanges());
        assertEquals(pack.resolve("greet-all/starter/Names.java"), greet.solutionFile("Names.java"));
    }

    @Test
    void aVariantFileLikeTheStartersIsRejected() throws IOException {
        Files.copy(pack.resolve("greet-all/starter/Names.java"), pack.resolve("greet-all/mutants/off-by-one/Names.java"));

        assertTrue(loadFails().contains("katas/greet-all/mutants/off-by-one/Names.java: is the same as starter/Names.java: "
                + "delete it"));
    }

    @Test
    void anEmptyVariantIsRejected() throws IOException {
        Files.delete(pack.resolve("sum-up/mutants/off-by-one/Adder.java"));

        assertTrue(loadFails().contains("katas/sum-up/mutants/off-by-one: has no .java file"));
    }

    @Test
    void supportFilesAreCompiledWithEveryVariantAndNeverTheLearnersCopy() throws IOException {
        Files.createDirectories(pack.resolve("greet-all/support"));
        Files.move(pack.resolve("greet-all/starter/Names.java"), pack.resolve("greet-all/support/Names.java"));
        Path learner = Files.createDirectories(temp.resolve("ws/greetall"));
        Files.writeString(learner.resolve("Greeter.java"), "package greetall;");
        Files.writeString(learner.resolve("Names.java"), "package greetall; // the learner's copy");

        Kata greet = new CatalogLoader().load(pack).require("greet-all");

        assertEquals(List.of("Greeter.java"), greet.files());
        assertEquals(List.of("Names.java"), greet.support());
        assertEquals(List.of(pack.resolve("greet-all/solution/Greeter.java"), pack.resolve("greet-all/support/Names.java")),
                greet.sourcesToCompile(greet.solutionDir()));
        assertEquals(List.of(learner.resolve("Greeter.java"), pack.resolve("greet-all/support/Names.java")),
                greet.sourcesToCompile(learner));
    }

    @Test
    void supportFilesAreTheSameForEveryVariant() throws IOException {
        Files.createDirectories(pack.resolve("greet-all/support"));
        Files.move(pack.resolve("greet-all/starter/Names.java"), pack.resolve("greet-all/support/Names.java"));
        Files.writeString(pack.resolve("greet-all/mutants/off-by-one/Names.java"), "package greetall;\nclass Names {}\n");
        Files.copy(pack.resolve("greet-all/starter/Greeter.java"), pack.resolve("greet-all/support/Greeter.java"));

        String message = loadFails();

        assertTrue(message.contains("katas/greet-all/mutants/off-by-one/Names.java: is a support file"), message);
        assertTrue(message.contains("katas/greet-all/support/Greeter.java: is also in starter/"), message);
    }

    @Test
    void contractIsReadWithItsClauses() throws IOException {
        Files.writeString(pack.resolve("sum-up/contract.toml"), """
                [[clauses]]
                id = "adds-all"
                says = "The sum of all the numbers."
                tests = ["addsAll", "AdderTest.addsNothing"]
                paths = ["an empty list"]
                """);

        Contract contract = new CatalogLoader().load(pack).require("sum-up").contract();

        assertEquals(List.of(new Contract.Clause("adds-all", "The sum of all the numbers.",
                List.of("addsAll", "AdderTest.addsNothing"), List.of("an empty list"))), contract.clauses());
        assertTrue(new CatalogLoader().load(pack).require("greet-all").contract() == null);
    }

    @Test
    void contractProblemsAreNamedByFileAndField() throws IOException {
        Files.writeString(pack.resolve("sum-up/contract.toml"), """
                [[clauses]]
                id = "Adds All"
                says = "x"
                tests = "addsAll"
                [[clauses]]
                says = "y"
                """);

        String message = loadFails();

        assertTrue(message.contains("katas/sum-up/contract.toml: clauses[0].id: 'Adds All' is not kebab-case"), message);
        assertTrue(message.contains("katas/sum-up/contract.toml: clauses[0].tests: must be an array of strings"), message);
        assertTrue(message.contains("katas/sum-up/contract.toml: clauses[1].id: missing"), message);
        assertTrue(message.contains("katas/sum-up/contract.toml: clauses[1].tests: missing"), message);
    }

    @Test
    void equivalentMutantsNeedAnIdAndAReason() throws IOException {
        Files.writeString(pack.resolve("sum-up/kata.toml"), """

                [equivalent]
                "remove-volatile:Adder.java:total:1" = "written once before any thread starts"
                "nonsense" = "x"
                "remove-call:Adder.java:add:2" = ""
                """, java.nio.file.StandardOpenOption.APPEND);

        String message = loadFails();

        assertTrue(message.contains("katas/sum-up/kata.toml: equivalent.nonsense: not a generated mutant id"), message);
        assertTrue(message.contains("katas/sum-up/kata.toml: equivalent.remove-call:Adder.java:add:2: must be a non-empty string"),
                message);
        assertTrue(!message.contains("remove-volatile"), message);
    }

    @Test
    void mutantFolderAndItsLineMustMatch() throws IOException {
        Files.createDirectories(pack.resolve("sum-up/mutants/undescribed"));
        Files.copy(pack.resolve("sum-up/starter/Adder.java"), pack.resolve("sum-up/mutants/undescribed/Adder.java"));
        Files.writeString(pack.resolve("count-down/kata.toml"), "ghost = \"no folder\"\n", java.nio.file.StandardOpenOption.APPEND);

        String message = loadFails();

        assertTrue(message.contains("katas/sum-up/kata.toml: mutants: no line for mutants/undescribed/"), message);
        assertTrue(message.contains("katas/count-down/kata.toml: mutants.ghost: there is neither a folder "
                + "mutants/ghost/ nor a file mutants/ghost.patch"), message);
    }

    private static final String MINUS_ONE_PATCH = """
            --- solution/Adder.java
            +++ mutants/minus-one/Adder.java
            @@ -5,6 +5,6 @@
                 }
            \s
                 public static int add(int a, int b) {
            -        return a + b;
            +        return a + b - 1;
                 }
             }
            """;

    @Test
    void patchMutantIsTheSolutionWithItsLinesChanged() throws Exception {
        Files.writeString(pack.resolve("sum-up/mutants/minus-one.patch"), MINUS_ONE_PATCH);
        Files.writeString(pack.resolve("sum-up/kata.toml"), "minus-one = \"Adds one too few.\"\n",
                java.nio.file.StandardOpenOption.APPEND);

        Kata sumUp = new CatalogLoader().load(pack).require("sum-up");

        String solution = Files.readString(pack.resolve("sum-up/solution/Adder.java"));
        assertEquals(java.util.Map.of("Adder.java", solution.replace("a + b;", "a + b - 1;")),
                sumUp.mutantSources("minus-one"));
        assertEquals(java.util.Map.of("Adder.java", Files.readString(pack.resolve("sum-up/mutants/off-by-one/Adder.java"))),
                sumUp.mutantSources("off-by-one"));
    }

    @Test
    void aPatchAndAFolderOfOneNameAreRejected() throws IOException {
        Files.writeString(pack.resolve("sum-up/mutants/off-by-one.patch"), MINUS_ONE_PATCH);

        assertTrue(loadFails().contains("katas/sum-up/mutants/off-by-one.patch: has the name of the folder "
                + "mutants/off-by-one/"));
    }

    /** Applying every patch at load time would slow down every command; kata validate reports a bad one. */
    @Test
    void aPatchThatNoLongerAppliesOrNamesAnotherFileSaysSoWhenApplied() throws IOException {
        Files.writeString(pack.resolve("sum-up/mutants/stale.patch"), MINUS_ONE_PATCH.replace("int a, int b", "int x, int y"));
        Files.writeString(pack.resolve("sum-up/mutants/elsewhere.patch"), MINUS_ONE_PATCH.replace("Adder.java", "Summer.java"));
        Files.writeString(pack.resolve("sum-up/kata.toml"), "stale = \"x\"\nelsewhere = \"y\"\n",
                java.nio.file.StandardOpenOption.APPEND);

        Kata sumUp = new CatalogLoader().load(pack).require("sum-up");

        assertTrue(assertThrows(MutantPatch.InvalidPatchException.class, () -> sumUp.mutantSources("stale"))
                .getMessage().contains("does not apply to the solution's Adder.java"));
        assertTrue(assertThrows(MutantPatch.InvalidPatchException.class, () -> sumUp.mutantSources("elsewhere"))
                .getMessage().contains("changes Summer.java, which is not one of the learner's files [Adder.java]"));
    }

    @Test
    void fewMutantsAreFineAtLoadTime() throws IOException {
        deleteTree(pack.resolve("sum-up/mutants"));
        replace("sum-up/kata.toml", "[mutants]\noff-by-one = \"Adds one too many.\"\n", "");

        assertTrue(new CatalogLoader().load(pack).require("sum-up").mutants().isEmpty());
    }

    @Test
    void starterMustDeclareThePackageOfTheId() throws IOException {
        replace("sum-up/starter/Adder.java", "package sumup;", "package sum.up;");

        assertTrue(loadFails().contains("katas/sum-up/starter/Adder.java: declares package sum.up, but the kata's package is sumup"));
    }

    @Test
    void missingStoryAndHintsAreNamed() throws IOException {
        Files.delete(pack.resolve("greet-all/story.md"));
        Files.writeString(pack.resolve("greet-all/hints.md"), "---\n\n---\n");

        String message = loadFails();

        assertTrue(message.contains("katas/greet-all/story.md: missing"), message);
        assertTrue(message.contains("katas/greet-all/hints.md: has no hint"), message);
    }

    @Test
    void packListingAMissingFolderIsNamed() throws IOException {
        replace("pack.toml", "katas = [\"count-down\"]", "katas = [\"count-down\", \"no-such-kata\"]");

        assertTrue(loadFails().contains("katas/pack.toml: tracks[1].katas: 'no-such-kata' has no folder katas/no-such-kata/"));
    }

    @Test
    void invalidTomlIsReportedWithTheFile() throws IOException {
        Files.writeString(pack.resolve("pack.toml"), "name = \"unterminated\n");

        assertTrue(loadFails().startsWith("katas/pack.toml: not valid TOML"));
    }

    @Test
    void missingPackFileIsReported() throws IOException {
        Files.delete(pack.resolve("pack.toml"));

        assertTrue(loadFails().startsWith("katas/pack.toml: missing"));
    }

    @Test
    void unknownIdSuggestsCloseOnes() {
        Catalog catalog = new CatalogLoader().load(pack);

        UnknownKataException e = assertThrows(UnknownKataException.class, () -> catalog.require("sum-upp"));

        assertEquals("there is no kata 'sum-upp'. Did you mean 'sum-up'? Run `kata list` to see them all.", e.getMessage());
        assertEquals(List.of("count-down"), catalog.suggestionsFor("count"));
        assertEquals(List.of(), catalog.suggestionsFor("zzzzzzzz"));
    }

    @Test
    void declaredPackageIgnoresComments() {
        assertEquals("leakalert", CatalogLoader.declaredPackage("/* package wrong; */\n// package nope;\npackage leakalert;\n").orElseThrow());
        assertTrue(CatalogLoader.declaredPackage("class A {}").isEmpty());
        assertEquals("a.b", CatalogLoader.declaredPackage("/*\n * Licence {x}\n */\n\n// note\npackage a.b ;\nclass A {}").orElseThrow());
        assertEquals("p", CatalogLoader.declaredPackage("@Deprecated\npackage p;").orElseThrow());
    }

    private String loadFails() {
        return assertThrows(CatalogException.class, () -> new CatalogLoader().load(pack)).getMessage();
    }

    private void replace(String file, String from, String to) throws IOException {
        Path path = pack.resolve(file);
        String text = Files.readString(path);
        assertTrue(text.contains(from), "test setup: " + file + " has no " + from);
        Files.writeString(path, text.replace(from, to));
    }

    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
