package dev.kata.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jline.terminal.Attributes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session driven through a virtual terminal: keys typed, files saved, the screen read. Checks
 * fork test JVMs, so only a few tests here run one.
 */
class SessionTest {
    private static final String FIXED = """
            package sumup;

            public final class Adder {
                private Adder() {
                }

                public static int add(int a, int b) {
                    return a + b;
                }
            }
            """;

    @TempDir
    Path temp;
    SessionHarness kata;
    Path adder;

    @BeforeEach
    void setUp() {
        kata = new SessionHarness(temp);
        adder = kata.file("sumup/Adder.java");
    }

    @AfterEach
    void tearDown() throws Exception {
        kata.close();
    }

    @Test
    void opensOnTheStoryWithTheFileToEditAndTheKeysThenQuitsOnQAndRestoresTheTerminal() throws Exception {
        VirtualTerminal vt = new VirtualTerminal(80, 24);
        Attributes before = new Attributes(vt.terminal.getAttributes());
        kata.start("sum-up", vt, false);

        vt.waitFor("q quit", "kata  sum-up · The adder that subtracts  (1 of 3)", "Make add add.",
                "Edit src/main/java/sumup/Adder.java:8", "h hint  c check  l list  r reset  e edit  : command");
        assertTrue(Files.exists(adder), "the kata was started: its starter is in the workspace");

        vt.type("q");
        assertEquals(0, kata.awaitExit());
        assertEquals(before.getLocalFlags(), vt.terminal.getAttributes().getLocalFlags(), "the terminal is restored");
        assertEquals(before.getInputFlags(), vt.terminal.getAttributes().getInputFlags());
        assertTrue(vt.written().endsWith("\033[?1049l") || vt.written().contains("\033[?1049l"),
                "left the alternate screen");
    }

    @Test
    void savingRechecksByItselfAndAPassCelebratesThenOffersTheSolutionAndTheNextKata() throws Exception {
        kata.start("sum-up", 80, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        Files.writeString(adder, FIXED.replace("return a + b;", "return a + b"));
        String broken = vt.waitFor("compile-error");
        assertTrue(broken.contains("src/main/java/sumup/Adder.java:8:"), "the learner's line first\n" + broken);

        Path replacement = adder.resolveSibling("Adder.java.tmp");
        Files.writeString(replacement, FIXED);
        Files.move(replacement, adder, java.nio.file.StandardCopyOption.REPLACE_EXISTING, // an editor's rename-save
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        vt.waitFor("see the reference solution", "sum-up passes", "1 of 3 passed", "n  go on: greet-all");
        assertTrue(kata.progress().read().of("sum-up").status() == dev.kata.workspace.ProgressStatus.PASSED);

        vt.type("s");
        String solution = vt.waitFor("Why it works", "Adder.java: your file is the reference solution, line for line");
        assertTrue(solution.indexOf("Why it works") < solution.indexOf("Adder.java: your file"), "why first\n" + solution);

        vt.type("n");
        vt.waitFor("greet-all · The greeter that forgets", "It forgets.", "Greeter.java");
        assertTrue(Files.exists(kata.file("greetall/Greeter.java")), "n starts the next kata");
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void keysShowHintsListHelpAndResetAfterAskingWithoutCheckingAnything() throws Exception {
        Files.createDirectories(adder.getParent());
        Files.writeString(adder, "// my attempt\n" + Files.readString(kata.catalog.require("sum-up").starterDir()
                .resolve("Adder.java")));
        kata.start("sum-up", 80, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.type("h");
        vt.waitFor("Hint 1 of 3");
        vt.type("h");
        vt.waitFor("Hint 2 of 3", "Look at the operator.");
        assertEquals(2, kata.progress().read().of("sum-up").hintsUsed());

        vt.type("s");
        vt.waitFor("opens once you pass sum-up");
        vt.type("n");
        vt.waitFor("n goes on once sum-up passes");

        vt.type("l");
        vt.waitFor("Basics", "sum-up", "in progress", "count-down");

        vt.type("?");
        vt.waitFor("open the file in $VISUAL or $EDITOR");

        vt.type("r");
        vt.waitFor("Reset sum-up to its starter?");
        vt.type("x");
        vt.waitFor("Reset cancelled");
        assertTrue(Files.readString(adder).startsWith("// my attempt"));
        vt.type("r");
        vt.waitFor("Reset sum-up to its starter?");
        vt.type("y");
        vt.waitFor("Back to the starter. Yours is in .kata/backups/");
        assertFalse(Files.readString(adder).startsWith("// my attempt"));
        try (Stream<Path> backups = Files.walk(kata.workspace.backupsDir())) {
            assertTrue(backups.anyMatch(p -> p.getFileName().toString().equals("Adder.java")), "a backup was kept");
        }
        vt.type("t");
        vt.waitFor("Make add add.", "Not checked yet");
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void thePromptRunsAnyCommandWithCompletionAndKeepsItsHistoryInTheWorkspace() throws Exception {
        kata.start("sum-up", 80, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.type(":");
        vt.type("progr\t");
        vt.waitFor(":progress");
        vt.type("\r");
        vt.waitFor(":progress", "0 of 3 passed, 1 in progress");

        vt.type("/hint s\t");
        vt.waitFor("/hint sum-up");
        vt.type("\r");
        vt.waitFor("Hint 1 of 3", ":hint sum-up");

        vt.type(":start greet-all\r");
        vt.waitFor("greet-all · The greeter that forgets");

        List<String> history = Files.readAllLines(kata.workspace.stateDir().resolve("history"));
        assertTrue(history.stream().anyMatch(l -> l.endsWith("progress")), history.toString());
        assertTrue(history.stream().anyMatch(l -> l.endsWith("hint sum-up")), history.toString());

        vt.type(":quit\r");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void aLongCommandRunsOffTheKeyLoopWithASpinnerAndCtrlCOrQCancelsItWithoutAVerdict() throws Exception {
        kata.start("sum-up", 100, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.type(":validate --repeat 5\r");
        vt.waitFor(":validate --repeat 5", "q or Ctrl-C stops it");
        vt.type("l");
        vt.waitFor("validate --repeat 5 is running: q or Ctrl-C stops it.");
        vt.type("\u0003");
        String cancelled = vt.waitFor(":validate --repeat 5 was cancelled.", "Cancelled after");
        for (String verdict : List.of("invalid", "exit-called", "System.exit", "katas valid", "kata valid")) {
            assertFalse(cancelled.contains(verdict), "no verdict of a cancelled validate:\n" + cancelled);
        }
        awaitNoTestJvmButTheSpare();

        vt.type(":validate --repeat 5\r");
        vt.waitFor("q or Ctrl-C stops it");
        vt.type("q");
        vt.waitFor("was cancelled.");
        assertTrue(kata.running(), "q stopped the command, not the session");
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void escLeavesThePromptWhichSaysHowAndCommandsAreWordedForTheSession() throws Exception {
        kata.start("sum-up", 100, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.type(":");
        vt.waitFor("Esc leaves");
        vt.type("hin");
        vt.type("\033");
        vt.waitFor(s -> !s.contains("Esc leaves") && s.contains("q quit"), "the prompt to close", Duration.ofSeconds(20));
        vt.type("l");
        vt.waitFor("Basics", "count-down");

        vt.type(":hint sum-up\r");
        String hint = vt.waitFor("Hint 1 of 3", "again for the next one");
        assertTrue(hint.contains(":hint sum-up"), "the session's way to type it:\n" + hint);
        assertFalse(hint.contains("kata hint"), "not the shell's:\n" + hint);
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void helpWithACommandShowsThatCommandsHelp() throws Exception {
        kata.start("sum-up", 100, 30, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.type(":help check\r");
        String help = vt.waitFor(":help check", "Usage: :check [-hvV]", "Grade your fix");
        assertFalse(help.contains("[-hV]"), "check's help, not the top level's:\n" + help);
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void atSixtyColumnsTheResetQuestionStillSaysWhichKeyResets() throws Exception {
        kata.start("sum-up", 60, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.type("r");
        vt.waitFor("Reset sum-up?", "y resets");
        vt.type("x");
        vt.waitFor("Reset cancelled");
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void reopeningShowsTheStoredVerdictAndASecondSessionOnTheWorkspaceIsToldSo() throws Exception {
        kata.progress().update("sum-up", p -> p.checked(new dev.kata.workspace.LastVerdict("fail", "test-failure",
                "add(2, 3) was -1", kata.clock.instant())));
        Files.createDirectories(kata.workspace.stateDir());
        try (SessionLock first = SessionLock.take(kata.workspace.stateDir())) {
            assertTrue(first.alone());
            kata.start("sum-up", 100, 24, false);
            String screen = kata.vt.waitFor("q quit", "Another kata session is open on this workspace");
            assertFalse(screen.contains("Not checked yet"), screen);
            kata.vt.type("t");
            kata.vt.waitFor("Last check", "test-failure - add(2, 3) was -1");
            kata.vt.type("q");
            assertEquals(0, kata.awaitExit());
        }
    }

    @Test
    void aReadOnlyWorkspaceStillTeachesAndSaysOnceThatProgressIsNotRecorded() throws Exception {
        Files.createDirectories(kata.workspace.lockFile().getParent());
        Files.createDirectory(kata.workspace.lockFile()); // like a read-only mount: progress cannot be written
        kata.start("sum-up", 100, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit", "Your progress is not recorded");
        vt.type("h");
        vt.waitFor("Hint 1 of 3");
        vt.type("h");
        vt.waitFor("Hint 2 of 3", "Look at the operator.");
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void onAReadOnlyWorkspaceEachVerdictSaysItIsNotRecorded() throws Exception {
        Files.createDirectories(kata.workspace.lockFile().getParent());
        Files.createDirectory(kata.workspace.lockFile()); // like a read-only mount: progress cannot be written
        kata.start("sum-up", 100, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit", "Your progress is not recorded");
        vt.type("c");
        vt.waitFor("test-failure", "This verdict is not recorded: cannot record your progress in");
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void theStorySaysWhichOtherFilesAreBesideTheOneToEditAndNotItself() throws Exception {
        kata.start("greet-all", 120, 24, false);
        String screen = kata.vt.waitFor("q quit", "beside it");
        assertTrue(screen.contains("(the kata's other file, Names.java, is beside it)"), screen);
        assertFalse(screen.contains("Greeter.java, Names.java"), screen);
        kata.vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void withoutAUtf8LocaleTheMarksAreAscii() throws Exception {
        kata.env.put("LANG", "C");
        kata.start("sum-up", 80, 24, false);
        String screen = kata.vt.waitFor("q quit", "... 0 of 3 passed", "> Edit src/main/java/sumup/Adder.java:8");
        assertTrue(screen.chars().allMatch(c -> c < 128), "only ASCII:\n" + screen);
        kata.vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void withoutAUtf8LocaleEveryLineIsMeasuredInAsciiAndFitsTheWidth() throws Exception {
        kata.env.put("LANG", "C");
        for (int columns : new int[] {28, 60}) {
            VirtualTerminal vt = new VirtualTerminal(columns, 16);
            kata.start("sum-up", vt, false);
            String screen = vt.waitFor("q quit", "Adder.java:8");
            for (String row : screen.lines().toList()) {
                assertTrue(row.stripTrailing().length() < columns, columns + " columns, a row too long:\n" + screen);
            }
            assertTrue(screen.lines().anyMatch(l -> l.startsWith("> ") && l.contains("Adder.java:8")), screen);
            vt.type("q");
            assertEquals(0, kata.awaitExit());
            vt.close();
        }
    }

    @Test
    void atThirtyColumnsTheFileLineKeepsTheFileNameAndTheNewWorkspaceIsAnnounced() throws Exception {
        VirtualTerminal vt = new VirtualTerminal(30, 16);
        kata.vt = vt;
        Session session = new Session(kata.setup(false), vt.terminal);
        session.greet("Created your kata workspace in ws.");
        Thread thread = new Thread(() -> session.run(kata.catalog.require("sum-up"), false));
        thread.start();
        String screen = vt.waitFor("Created your kata", "Adder.java:8");
        assertTrue(screen.contains("…/Adder.java:8"), screen);
        vt.type("q");
        thread.join(20_000);
        assertFalse(thread.isAlive());
    }

    private void awaitNoTestJvmButTheSpare() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (alive() > (kata.session.spareReady() ? 1 : 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(alive() <= (kata.session.spareReady() ? 1 : 0), "the cancelled command's test JVMs are gone: "
                + ProcessHandle.current().descendants().map(p -> p.info().commandLine()).toList());
    }

    @Test
    void fitsANarrowTerminalAndRedrawsWhenResized() throws Exception {
        kata.start("sum-up", 80, 24, true);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.resize(50, 16);
        String narrow = vt.waitFor(s -> s.contains("Edit src/main/java/sumup/Adder") && s.lines().count() <= 16
                && s.lines().allMatch(l -> l.length() <= 50) && s.contains("q quit"), "a 50-column screen",
                Duration.ofSeconds(20));
        assertTrue(narrow.contains("kata  sum-up"), narrow);
        assertTrue(vt.written().contains("\033["), "colour and cursor moves through ANSI");
        vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void ctrlCStopsARunningCheckLeavingNoProcessAndCtrlCAgainQuits() throws Exception {
        Files.createDirectories(adder.getParent());
        Files.writeString(adder, FIXED.replace("return a + b;",
                "try { Thread.sleep(60_000); } catch (InterruptedException e) { } return a + b;"));
        kata.start("sum-up", 80, 24, false);
        VirtualTerminal vt = kata.vt;
        vt.waitFor("q quit");

        vt.type("c");
        vt.waitFor("testing: adds");
        vt.type("\u0003");
        vt.waitFor("Check stopped.");
        // The check's JVM is gone; at most the grader's spare for the next check is alive.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (alive() != (kata.session.spareReady() ? 1 : 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(kata.session.spareReady() ? 1 : 0, alive(), "the stopped check's test JVM is gone: "
                + ProcessHandle.current().descendants().map(p -> p.info().commandLine()).toList());
        vt.type("\u0003");
        assertEquals(0, kata.awaitExit());
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "no spare JVM left either");
    }

    private static long alive() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
    }

    @Test
    void aDumbTerminalGetsPlainLinesAndStillTakesKeys() throws Exception {
        java.io.PipedOutputStream keys = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(keys);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.jline.terminal.impl.DumbTerminal dumb = new org.jline.terminal.impl.DumbTerminal("dumb", "dumb", in, out,
                java.nio.charset.StandardCharsets.UTF_8);
        Session session = new Session(kata.setup(true), dumb);
        Thread thread = new Thread(() -> session.run(kata.catalog.require("sum-up"), false));
        thread.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("q quit") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        keys.write("l\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        keys.flush();
        while (!out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("Basics") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        keys.write("q".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        keys.flush();
        thread.join(20_000);
        assertFalse(thread.isAlive(), "q quits");
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("Make add add.") && text.contains("Edit src/main/java/sumup/Adder.java:8"), text);
        assertTrue(text.contains("Basics"), "the list was printed\n" + text);
        assertFalse(text.contains("\033"), "no escape sequences on a dumb terminal:\n" + text);
        dumb.close();
    }

    @Test
    void withoutColourOnlyCursorMovesAreSent() throws Exception {
        kata.start("sum-up", 80, 24, false);
        kata.vt.waitFor("q quit");
        kata.vt.type("l");
        kata.vt.waitFor("Basics");
        assertFalse(java.util.regex.Pattern.compile("\033\\[[0-9;]*m").matcher(kata.vt.written()).find(),
                "no SGR (colour, bold) sequence with colour off");
        kata.vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void eOpensTheEditorAtTheLineAndTheSessionComesBack() throws Exception {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path args = temp.resolve("editor-args");
        Path editor = bin.resolve("vim");
        // Written aside, then moved: the test must never read the file half written (created, still empty).
        Files.writeString(editor, "#!/bin/sh\necho \"$@\" > '" + args + ".tmp' && mv '" + args + ".tmp' '" + args + "'\n");
        editor.toFile().setExecutable(true);
        kata.env.put("EDITOR", editor.toString());
        kata.start("sum-up", 80, 24, false);
        kata.vt.waitFor("q quit");

        kata.vt.type("e");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(args) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("+8 " + adder, Files.readString(args).strip(), "vim gets +LINE FILE");
        kata.vt.waitFor("Make add add.", "q quit");
        kata.vt.type("l");
        kata.vt.waitFor("Basics");
        kata.vt.type("q");
        assertEquals(0, kata.awaitExit());
    }

    @Test
    void whenEveryKataIsPassedTheSessionClosesWithASummary() throws Exception {
        for (String id : List.of("sum-up", "greet-all", "count-down")) {
            kata.progress().update(id, p -> p.checked(new dev.kata.workspace.LastVerdict("pass", null, "all pass",
                    kata.clock.instant())));
        }
        VirtualTerminal vt = new VirtualTerminal(80, 24);
        kata.vt = vt;
        Session session = new Session(kata.setup(false), vt.terminal);
        Thread thread = new Thread(() -> session.run(kata.catalog.require("count-down"), true));
        thread.start();
        vt.waitFor("You have passed every kata!", "3 of 3 passed", "count-down");
        vt.type("q");
        thread.join(20_000);
        assertFalse(thread.isAlive());
    }
}
