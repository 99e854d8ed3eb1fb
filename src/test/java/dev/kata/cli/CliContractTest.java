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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command-line contract scripts rely on: exit codes, messages, JSON shapes, and never losing the learner's work. */
class CliContractTest {
    @TempDir
    Path temp;
    CliHarness kata;

    @BeforeEach
    void setUp() {
        kata = new CliHarness(temp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "init", "list", "start", "path", "check", "hint", "reset", "solution", "progress"})
    void everyCommandHasHelp(String command) {
        Run run = command.isEmpty() ? kata.run("--help") : kata.run(command, "--help");

        run.expect(0);
        assertTrue(run.out().startsWith("Usage: kata" + (command.isEmpty() ? "" : " " + command)), run.out());
    }

    @Test
    void versionComesFromTheBuild() {
        Run run = kata.run("--version").expect(0);

        assertTrue(run.out().startsWith("kata "), run.out());
    }

    @Test
    void usageErrorsExitWith2AndPointToHelp() {
        Run unknown = kata.run("chek", "sum-up").expect(2).clean();
        assertEquals("kata: 'chek' is not a kata command. Did you mean 'check'?\nTry `kata --help`.\n", unknown.err());

        Run missing = kata.run("init", "ws", "--pack").expect(2).clean();
        assertTrue(missing.err().contains("Missing required parameter for option '--pack'"), missing.err());
        assertTrue(missing.err().contains("kata init --help"), missing.err());
    }

    @Test
    void mistypedCommandsGetTheCommandFewestEditsAwayOrNothing() {
        assertTrue(kata.run("lsit").expect(2).err().startsWith("kata: 'lsit' is not a kata command. Did you mean 'list'?\n"));
        assertTrue(kata.run("frobnicate").expect(2).err().startsWith("kata: 'frobnicate' is not a kata command.\n"));
        assertTrue(kata.run("list", "--jsno").expect(2).err().startsWith("kata: `kata list` has no option --jsno. Did you mean '--json'?\n"));
        Run extra = kata.run("list", "extra").expect(2).clean();
        assertTrue(extra.err().startsWith("kata: `kata list` does not take the argument 'extra'.\n"), extra.err());
    }

    @Test
    void withoutAnIdCommandsActOnTheCurrentKata() {
        kata.initWorkspace();
        assertTrue(kata.run("start").expect(0).out().contains("sumup/Adder.java"), "the first kata of the pack");
        kata.clock = java.time.Clock.offset(kata.clock, java.time.Duration.ofMinutes(5));
        kata.run("start", "count-down").expect(0);

        assertTrue(kata.run("path").expect(0).out().strip().contains("/countdown/"), "the kata started last");
        assertTrue(kata.run("hint").expect(0).out().contains("Hint 1 of"));
    }

    @Test
    void helpCommandShowsACommandsHelp() {
        assertTrue(kata.run("help").expect(0).out().contains("Usage: kata"));
        assertTrue(kata.run("help", "check").expect(0).out().startsWith("Usage: kata check"));
    }

    @Test
    void aNamedFolderThatIsNoWorkspaceIsAnErrorEvenForList() throws java.io.IOException {
        Run missing = kata.run("-w", "/nonexistent", "list", "--json").expect(2);
        assertEquals("", missing.out());
        assertTrue(missing.err().startsWith("kata: /nonexistent does not exist. Run `kata init /nonexistent`"), missing.err());

        java.nio.file.Files.writeString(kata.cwd.resolve("notes.txt"), "x");
        Run file = kata.run("-w", "notes.txt", "list").expect(2);
        assertTrue(file.err().contains("notes.txt is a file: a workspace is a folder."), file.err());
    }

    @Test
    void noWorkspaceExitsWith2AndSaysHowToMakeOne() {
        for (String[] args : List.of(new String[] {"progress"}, new String[] {"start", "sum-up"},
                new String[] {"check", "sum-up"}, new String[] {"path", "sum-up"})) {
            Run run = kata.run(args).expect(2).clean();
            assertTrue(run.err().startsWith("kata: no kata workspace here"), run.err());
            assertTrue(run.err().contains("kata init DIR"), run.err());
        }
    }

    @Test
    void initCreatesAWorkspaceAndRefusesToDoItTwice() {
        Run first = kata.run("init", "ws").expect(0);
        assertTrue(first.out().contains("Created a kata workspace in " + kata.cwd.resolve("ws")), first.out());
        assertTrue(Files.exists(kata.cwd.resolve("ws/.kata/workspace.toml")));
        assertTrue(Files.isDirectory(kata.cwd.resolve("ws/src/main/java")));

        Run again = kata.run("init", "ws").expect(2).clean();
        assertTrue(again.err().contains("is already a kata workspace"), again.err());
    }

    @Test
    void initRefusesANonEmptyFolderWithoutForce() throws IOException {
        Files.createDirectories(kata.cwd.resolve("busy"));
        Files.writeString(kata.cwd.resolve("busy/README.txt"), "mine");

        kata.run("init", "busy").expect(2).clean();
        kata.run("init", "busy", "--force").expect(0);

        assertEquals("mine", Files.readString(kata.cwd.resolve("busy/README.txt")));
    }

    @Test
    void listJsonIsAnArrayInOrderWithIdTitleStatus() throws IOException {
        kata.initWorkspace();
        kata.run("start", "greet-all").expect(0);

        JsonNode list = new ObjectMapper().readTree(kata.run("list", "--json").expect(0).out());

        assertTrue(list.isArray());
        assertEquals(List.of("sum-up", "greet-all", "count-down"), ids(list));
        for (JsonNode item : list) {
            assertTrue(item.has("title") && item.has("status"), item.toString());
        }
        assertEquals("not-started", list.get(0).get("status").asText());
        assertEquals("in-progress", list.get(1).get("status").asText());
        assertEquals("The adder that subtracts", list.get(0).get("title").asText());
    }

    @Test
    void listWorksWithoutAWorkspace() {
        Run run = kata.run("list").expect(0);

        assertTrue(run.out().contains("Basics"), run.out());
        assertTrue(run.out().contains("sum-up"), run.out());
        assertTrue(run.err().contains("kata init DIR"), run.err());
    }

    @Test
    void unknownKataExitsWith2WithASuggestionAndNoStackTrace() {
        kata.initWorkspace();

        for (String command : List.of("start", "path", "check", "hint", "reset", "solution")) {
            Run run = kata.run(command, "sum-upp").expect(2).clean();
            assertEquals("kata: there is no kata 'sum-upp'. Did you mean 'sum-up'? Run `kata list` to see them all.\n",
                    run.err());
        }
    }

    @Test
    void startCopiesTheStarterTellsTheStoryAndNeverOverwritesAnEditedFile() throws IOException {
        Path ws = kata.initWorkspace();
        Path adder = ws.resolve("src/main/java/sumup/Adder.java");

        Run first = kata.run("start", "sum-up").expect(0);

        assertTrue(first.out().contains("The adder that subtracts"), first.out());
        assertTrue(first.out().contains("Where it comes from (Go)"), first.out());
        assertTrue(first.out().contains(adder.toString()), "absolute path to edit: " + first.out());
        assertTrue(first.out().contains("kata check sum-up"), first.out());
        Files.writeString(adder, "my fix in progress");

        Run second = kata.run("start", "sum-up").expect(0);

        assertEquals("my fix in progress", Files.readString(adder));
        assertTrue(second.out().contains("your work is kept"), second.out());
    }

    @Test
    void pathPrintsAbsolutePathsOnePerLine() {
        Path ws = kata.initWorkspace();
        kata.cwd = ws.resolve("src");

        Run run = kata.run("path", "greet-all").expect(0);

        assertEquals(ws.resolve("src/main/java/greetall/Greeter.java") + "\n"
                + ws.resolve("src/main/java/greetall/Names.java") + "\n", run.out());
        run.out().lines().forEach(line -> assertTrue(Path.of(line).isAbsolute(), line));
    }

    @Test
    void hintLevelsAdvanceOneEachTime() throws IOException {
        kata.initWorkspace();

        Run first = kata.run("hint", "sum-up").expect(0);
        assertTrue(first.out().contains("Hint 1 of 3"), first.out());
        assertFalse(first.out().contains("Hint 2 of 3"), first.out());
        assertTrue(first.out().contains("Look at the operator."), first.out());

        Run second = kata.run("hint", "sum-up").expect(0);
        assertTrue(second.out().contains("Hint 1 of 3") && second.out().contains("Hint 2 of 3"), second.out());
        assertFalse(second.out().contains("Hint 3 of 3"), second.out());

        kata.run("hint", "sum-up").expect(0);
        Run fourth = kata.run("hint", "sum-up").expect(0);
        assertTrue(fourth.out().contains("Hint 3 of 3"), fourth.out());
        assertTrue(fourth.out().contains("That was the last hint"), fourth.out());

        JsonNode progress = new ObjectMapper().readTree(kata.run("progress", "--json").expect(0).out());
        assertEquals(3, progress.get("tracks").get(0).get("katas").get(0).get("hintsUsed").asInt());
    }

    @Test
    void resetKeepsABackupAndRestoresTheStarter() throws IOException {
        Path ws = kata.initWorkspace();
        kata.run("start", "sum-up").expect(0);
        Path adder = ws.resolve("src/main/java/sumup/Adder.java");
        Files.writeString(adder, "my attempt");

        Run run = kata.run("reset", "sum-up").expect(0);

        Path backup = ws.resolve(".kata/backups/sum-up/20260304-050607/Adder.java");
        assertEquals("my attempt", Files.readString(backup));
        assertTrue(run.out().contains(backup.getParent().toString()), "says where the backup is: " + run.out());
        assertEquals(Files.readString(kata.install.resolve("katas/sum-up/starter/Adder.java")), Files.readString(adder));
    }

    @Test
    void checkRequiresAStartedKata() {
        kata.initWorkspace();

        Run run = kata.run("check", "sum-up").expect(2).clean();

        assertTrue(run.err().contains("run `kata start sum-up` first"), run.err());
    }

    @Test
    void solutionIsRefusedBeforeAPass() {
        kata.initWorkspace();
        kata.run("start", "sum-up").expect(0);

        Run run = kata.run("solution", "sum-up").expect(2).clean();

        assertTrue(run.err().contains("pass it"), run.err());
    }

    @Test
    void solutionIsShownAfterAPass() throws IOException {
        Path ws = kata.initWorkspace();
        Files.writeString(ws.resolve(".kata/progress.json"), """
                {"format": 1, "katas": {"sum-up": {"status": "passed", "attempts": 1, "hintsUsed": 0}}}
                """);

        Run run = kata.run("solution", "sum-up").expect(0);

        assertTrue(run.out().contains("return a + b;"), run.out());
        assertTrue(run.out().contains("Why it works"), run.out());
    }

    @Test
    void corruptProgressIsMovedAsideWithAWarningAndEverythingStillWorks() throws IOException {
        Path ws = kata.initWorkspace();
        kata.run("start", "greet-all").expect(0);
        Files.writeString(ws.resolve(".kata/progress.json"), "{ this is not json");

        Run run = kata.run("progress").expect(0);

        assertTrue(run.err().startsWith("warning: "), run.err());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(run.out().contains("1 in progress"), run.out());
        try (Stream<Path> files = Files.list(ws.resolve(".kata"))) {
            Path aside = files.filter(p -> p.getFileName().toString().startsWith("progress.json.corrupt-")).findFirst()
                    .orElseThrow();
            assertEquals("{ this is not json", Files.readString(aside));
        }
        assertEquals("", kata.run("progress").expect(0).err(), "warned once");
    }

    @Test
    void progressCountsByTrack() {
        kata.initWorkspace();
        kata.run("start", "count-down").expect(0);

        Run run = kata.run("progress").expect(0);

        assertTrue(run.out().startsWith("Progress: 0 of 3 passed, 1 in progress, 2 not started"), run.out());
        assertTrue(run.out().contains("Basics"), run.out());
        assertTrue(run.out().contains("count-down  in progress"), run.out());
    }

    @Test
    void workspaceOptionWorksBeforeAndAfterTheCommand() {
        Path ws = kata.initWorkspace();
        kata.cwd = kata.home;

        kata.run("-w", ws.toString(), "start", "sum-up").expect(0);
        Run run = kata.run("path", "sum-up", "--workspace", ws.toString()).expect(0);

        assertEquals(ws.resolve("src/main/java/sumup/Adder.java") + "\n", run.out());
    }

    @Test
    void environmentNamesTheWorkspace() {
        Path ws = kata.initWorkspace();
        kata.cwd = kata.home;
        kata.env.put("KATA_WORKSPACE", ws.toString());

        kata.run("progress").expect(0);
    }

    @Test
    void bareKataCreatesTheDefaultWorkspaceAndStartsTheFirstKata() {
        Run first = kata.run().expect(0);

        Path ws = kata.home.resolve("kata-workspace");
        assertTrue(first.out().contains("Created your kata workspace in " + ws), first.out());
        assertTrue(first.out().contains("The adder that subtracts"), first.out());
        assertTrue(Files.exists(ws.resolve("src/main/java/sumup/Adder.java")));

        Run second = kata.run().expect(0);
        assertTrue(second.out().contains("Current kata: sum-up"), second.out());
        assertTrue(second.out().contains("kata check sum-up"), second.out());
    }

    @Test
    void brokenPackExitsWith2NamingFileAndField() throws IOException {
        kata.initWorkspace();
        Path toml = kata.install.resolve("katas/sum-up/kata.toml");
        Files.writeString(toml, Files.readString(toml).replace("test-failure", "leek"));

        Run run = kata.run("list").expect(2).clean();

        assertTrue(run.err().startsWith("kata: katas/sum-up/kata.toml: pitfall: 'leek' is not a verdict reason"), run.err());
    }

    @Test
    void plainOutputWhenNotATerminalColourWithTheFlag() {
        kata.initWorkspace();

        assertFalse(kata.run("list").out().contains("\u001b["));
        assertTrue(kata.run("--color", "list").out().contains("\u001b["));
        kata.terminal = true;
        assertTrue(kata.run("list").out().contains("\u001b["));
        kata.env.put("NO_COLOR", "1");
        assertFalse(kata.run("list").out().contains("\u001b["));
        kata.env.remove("NO_COLOR");
        assertFalse(kata.run("list", "--no-color").out().contains("\u001b["));
    }

    private static List<String> ids(JsonNode list) {
        return Stream.iterate(0, i -> i < list.size(), i -> i + 1).map(i -> list.get(i).get("id").asText()).toList();
    }
}
