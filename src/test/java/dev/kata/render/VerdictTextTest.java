package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.catalog.Kata;
import dev.kata.grader.CompileDiagnostic;
import dev.kata.grader.Status;
import dev.kata.grader.TestResult;
import dev.kata.grader.ThreadReport;
import dev.kata.grader.Verdict;
import dev.kata.probe.api.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTextTest {
    static final Path CWD = Path.of("/home/ada/ws").toAbsolutePath();
    static final Path SOURCE = CWD.resolve("src/main/java/leakalert");
    static final Kata KATA = new Kata("leak-alert", Path.of("/opt/kata/katas/leak-alert"), "The alert", "missions",
            Reason.LEAK, "s", "leakalert", List.of("AlertService.java"), Map.of(), Duration.ofSeconds(3),
            Duration.ofSeconds(30), List.of());

    final VerdictText text = new VerdictText(Style.plain(), new PathDisplay(CWD), false);

    @Test
    void passIsOneLine() {
        Verdict pass = new Verdict("leak-alert", Status.PASS, null, "all 4 tests pass", List.of(),
                List.of(test("a", null), test("b", null), test("c", null), test("d", null)), "", 1234);

        assertEquals("✔ leak-alert passes (4 tests, 1.2 s)\n", text.render(pass, KATA, SOURCE));
    }

    @Test
    void verboseListsPassingTests() {
        Verdict pass = new Verdict("leak-alert", Status.PASS, null, "", List.of(), List.of(test("fast path", null)), "", 10);

        String shown = new VerdictText(Style.plain(), new PathDisplay(CWD), true).render(pass, KATA, SOURCE);

        assertTrue(shown.contains("✔ fast path (5 ms)"), shown);
    }

    @Test
    void compileErrorLooksLikeJavac() {
        CompileDiagnostic d = new CompileDiagnostic(SOURCE.resolve("AlertService.java").toString(), 12, 23,
                "';' expected", "\treturn receipt");
        Verdict verdict = new Verdict("leak-alert", Status.FAIL, Reason.COMPILE_ERROR, "your code does not compile",
                List.of(d), List.of(), "", 800);

        assertEquals("""
                ✘ leak-alert fails: compile-error

                src/main/java/leakalert/AlertService.java:12:23: error: ';' expected
                \treturn receipt
                \t                     ^
                """, text.render(verdict, KATA, SOURCE));
    }

    @Test
    void failingTestShowsTheLearnersLineFirstThenThreads() {
        ThreadReport worker = new ThreadReport("alert-worker", true, "WAITING", "SynchronousQueue.put", null,
                "AlertService.java:42", List.of("leakalert.AlertService.lambda$send$0(AlertService.java:42)",
                        "f2", "f3", "f4", "f5", "f6", "f7"));
        TestResult leak = new TestResult("id", "slow send leaves no thread behind", Status.FAIL, Reason.LEAK,
                "the worker for alert A-7 is still blocked", "AlertService.java:42", List.of(worker), 700);
        Verdict verdict = new Verdict("leak-alert", Status.FAIL, Reason.LEAK, "slow send...: the worker...", List.of(),
                List.of(test("fast path", null), leak), "", 2000);

        String shown = text.render(verdict, KATA, SOURCE);

        assertEquals("""
                ✘ leak-alert fails: leak

                1 of 2 tests failed:

                ✘ slow send leaves no thread behind: leak
                  at src/main/java/leakalert/AlertService.java:42
                  the worker for alert A-7 is still blocked
                  thread "alert-worker" (virtual) WAITING on SynchronousQueue.put at AlertService.java:42
                    → at the lambda in AlertService.send(AlertService.java:42)
                      at f2
                      at f3
                      at f4
                      at f5
                      ... 2 more
                """, shown);
        assertFalse(shown.contains("fast path"), "passing tests only with --verbose");
    }

    @Test
    void framesKeepTheStackOrderMarkTheLearnersAndIdenticalStacksAreOneBlockThatSaysNothingTwice() {
        List<String> stack = List.of("SynchronousQueue.put(SynchronousQueue.java:206)",
                "AlertService.lambda$new$1(AlertService.java:18)", "AlertService.deliver(AlertService.java:42)",
                "AlertServiceTest.sendsEveryAlert(AlertServiceTest.java:30)");
        List<ThreadReport> senders = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            senders.add(new ThreadReport("sender-" + i, false, "WAITING", "SynchronousQueue.put", null,
                    "AlertService.java:42", stack));
        }
        senders.add(new ThreadReport("reader", false, "BLOCKED", "synchronized (AlertService)", "sender-0",
                "AlertService.java:50", List.of("AlertService.read(AlertService.java:50)")));
        TestResult stuck = new TestResult("id", "sends every alert", Status.FAIL, Reason.LEAK,
                "10 senders are still blocked in SynchronousQueue.put at AlertService.java:42", "AlertService.java:42",
                senders, 700);
        Verdict verdict = new Verdict("leak-alert", Status.FAIL, Reason.LEAK, "x", List.of(), List.of(stuck), "", 1);

        String shown = text.render(verdict, KATA, SOURCE);

        assertTrue(shown.contains("""
                  10 threads like this: WAITING
                      at SynchronousQueue.put(SynchronousQueue.java:206)
                    → at the lambda in the constructor of AlertService(AlertService.java:18)
                    → at AlertService.deliver(AlertService.java:42)
                      at AlertServiceTest.sendsEveryAlert(AlertServiceTest.java:30)
                      ("sender-0", "sender-1", "sender-2" and 7 more)
                  thread "reader" BLOCKED on synchronized (AlertService) held by "sender-0" at AlertService.java:50
                    → at AlertService.read(AlertService.java:50)
                """), shown);
    }

    @Test
    void summaryIsShownWhenNothingElseExplains() {
        Verdict verdict = new Verdict("leak-alert", Status.FAIL, Reason.API_MISMATCH,
                "the hidden tests need method send(Alert,Duration)", List.of(), List.of(), "", 500);

        assertEquals("✘ leak-alert fails: api-mismatch\n  the hidden tests need method send(Alert,Duration)\n",
                text.render(verdict, KATA, SOURCE));
    }

    @Test
    void outputIsCappedWithANote() {
        String output = "line\n".repeat(25);
        Verdict verdict = new Verdict("leak-alert", Status.FAIL, Reason.RACE, "x", List.of(),
                List.of(new TestResult("id", "t", Status.FAIL, Reason.RACE, "lost", null, List.of(), 1)), output, 1);

        String shown = text.render(verdict, KATA, SOURCE);

        assertEquals(VerdictText.OUTPUT_LINES, shown.lines().filter("  line"::equals).count());
        assertTrue(shown.contains("... 5 more lines"), shown);
    }

    @Test
    void pathsOutsideTheCurrentFolderStayAbsolute() {
        VerdictText elsewhere = new VerdictText(Style.plain(), new PathDisplay(Path.of("/tmp").toAbsolutePath()), false);

        assertEquals(SOURCE.resolve("AlertService.java") + ":42", elsewhere.location("AlertService.java:42", KATA, SOURCE));
        assertEquals("Other.java:3", elsewhere.location("Other.java:3", KATA, SOURCE));
    }

    @Test
    void repeatedFailuresAreOneLineAndLongMessagesWrap() {
        String message = "word ".repeat(30).strip();
        TestResult first = new TestResult("1", "first", Status.FAIL, Reason.DEADLOCK, message, null, List.of(), 1);
        TestResult second = new TestResult("2", "second", Status.FAIL, Reason.DEADLOCK, message, null, List.of(), 1);
        TestResult skipped = new TestResult("3", "third", Status.FAIL, Reason.NOT_RUN,
                "not run: an earlier test ended the test JVM", null, List.of(), 0);
        Verdict verdict = new Verdict("leak-alert", Status.FAIL, Reason.DEADLOCK, "x", List.of(),
                List.of(first, second, skipped), "", 1);

        String shown = new VerdictText(Style.plain(), new PathDisplay(CWD), false, 60).render(verdict, KATA, SOURCE);

        assertTrue(shown.contains("✘ second: deadlock (the same as first)\n"), shown);
        assertTrue(shown.lines().filter(l -> l.startsWith("  word word")).count() > 1, "wrapped: " + shown);
        shown.lines().forEach(line -> assertTrue(line.length() <= 60, line));
        assertTrue(shown.contains("Not run: third\n  an earlier test ended the test JVM"), shown);
    }

    @Test
    void aPassWithAModelCheckedTestNotRunSaysWhy() {
        TestResult ran = new TestResult("1", "eight requests load once", Status.PASS, null, null, null, List.of(), 5);
        TestResult notRun = new TestResult("2", "no interleaving loads twice (model-checked)", Status.SKIPPED,
                Reason.NOT_RUN, "your code hands work to a thread pool or a virtual thread (CompletableFuture.supplyAsync"
                        + " at PatientCache.java:37), where the model checker cannot follow it", null, List.of(), 0);
        Verdict verdict = new Verdict("race-cache", Status.PASS, null, "x", List.of(), List.of(ran, notRun), "", 1);

        String shown = new VerdictText(Style.plain(), new PathDisplay(CWD), false, 60).render(verdict, KATA, SOURCE);

        assertTrue(shown.contains("passes"), shown);
        assertTrue(shown.contains("Not run: no interleaving loads twice (model-checked)\n  your code hands work"), shown);
        assertTrue(shown.contains("PatientCache.java:37"), shown);
        assertFalse(shown.contains("✘"), shown);
        shown.lines().forEach(line -> assertTrue(line.length() <= 60, line));
    }

    private static TestResult test(String name, Reason reason) {
        return new TestResult("id-" + name, name, reason == null ? Status.PASS : Status.FAIL, reason, null, null, List.of(), 5);
    }
}
