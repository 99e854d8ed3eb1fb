package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.catalog.Kata;
import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Learner code is hostile until graded: each kind of misbehaviour gets its own verdict, names
 * the learner's line where there is one, leaves no process behind and leaves the files alone.
 */
class HostileInputTest {
    private static final Grader GRADER = Fixtures.grader();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "pass,             ,                 ",
        "wrong-answer,     test-failure,     ",
        "compile-error,    compile-error,    ",
        "api-mismatch,     api-mismatch,     ",
        "busy-loop,        timeout,          Target.java:8",
        "sleep-forever,    timeout,          Target.java:5",
        "self-deadlock,    deadlock,         Target.java:8",
        "lock-cycle,       deadlock,         Target.java:29",
        "leak,             leak,             Target.java:10",
        "thread-bomb,      too-many-threads, ",
        "out-of-memory,    out-of-memory,    ",
        "output-flood,     output-flood,     ",
        "exit-called,      exit-called,      Target.java:5",
        "halt-called,      exit-called,      ",
        "worker-exception, worker-exception, Target.java:7",
        "injected-fault,   ,                 ",
        "file-leak,        resource-leak,    ",
    })
    void eachMisbehaviourGetsItsOwnVerdict(String variant, String reason, String location) throws Exception {
        Path source = Fixtures.variant(variant);
        String before = digest(source);

        Verdict verdict = GRADER.check(Fixtures.hostileKata(), source, CheckListener.NONE);

        if (reason == null) {
            assertTrue(verdict.passed(), () -> "expected a pass, got " + verdict);
        } else {
            assertEquals(Status.FAIL, verdict.status(), verdict::toString);
            assertEquals(Reason.fromId(reason), verdict.reason(), verdict::toString);
        }
        if (location != null) {
            TestResult first = VerdictReasons.deciding(verdict.tests());
            assertEquals(location, first.location(), verdict::toString);
        }
        assertEquals(before, digest(source), "checking must never change the learner's files");
        assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList(),
                "no process may be left behind");
    }

    @Test
    void aLeakedFileIsNamedWithTheLearnersLineThatOpenedIt() {
        Kata hostile = Fixtures.hostileKata();
        Kata aboutLeaks = new Kata(hostile.id(), hostile.dir(), hostile.title(), hostile.track(), Reason.RESOURCE_LEAK,
                hostile.summary(), hostile.javaPackage(), hostile.files(), hostile.mutants(), hostile.testTimeout(),
                hostile.checkTimeout(), hostile.jvmArgs());

        Verdict verdict = GRADER.check(aboutLeaks, Fixtures.variant("file-leak"), CheckListener.NONE);

        TestResult first = VerdictReasons.deciding(verdict.tests());
        assertEquals(Reason.RESOURCE_LEAK, first.reason(), verdict::toString);
        assertEquals("Target.java:12", first.location(), verdict::toString);
        assertTrue(first.message().matches("(?s)1 file handle opened during this test is still open: /\\S+/answer\\d+\\.txt "
                + "\\(opened at Target\\.java:12\\)\\..*"), first.message());
    }

    @Test
    void aWorkerThatDiesIsNamedAsTheRaceDetectorNamesThreads() {
        TestResult named = VerdictReasons.deciding(
                GRADER.check(Fixtures.hostileKata(), Fixtures.variant("worker-exception"), CheckListener.NONE).tests());
        TestResult unnamed = VerdictReasons.deciding(
                GRADER.check(Fixtures.hostileKata(), Fixtures.variant("unnamed-worker-exception"), CheckListener.NONE)
                        .tests());

        assertTrue(named.message().startsWith("thread \"answer-worker\" died with"), named::toString);
        assertTrue(unnamed.message().startsWith("an unnamed virtual thread (#"), unnamed::toString);
        assertTrue(unnamed.message().contains(") died with"), unnamed::toString);
    }

    @Test
    void aCheckUntilTheFirstFailureSkipsTheTestsAfterIt() {
        Verdict full = GRADER.check(Fixtures.hostileKata(), Fixtures.variant("wrong-answer"), CheckListener.NONE);
        Verdict quick = GRADER.checkUntilFirstFailure(Fixtures.hostileKata(), Fixtures.variant("wrong-answer"));

        assertEquals(List.of(Reason.TEST_FAILURE, Reason.TEST_FAILURE), full.tests().stream().map(TestResult::reason).toList());
        assertEquals(List.of(Reason.TEST_FAILURE, Reason.NOT_RUN), quick.tests().stream().map(TestResult::reason).toList());
        assertEquals(full.reason(), quick.reason());
        assertTrue(GRADER.checkUntilFirstFailure(Fixtures.hostileKata(), Fixtures.variant("pass"))
                .passed());
    }

    private static String digest(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files.sorted().toList()) {
                md.update(p.toString().getBytes());
                if (Files.isRegularFile(p)) {
                    md.update(Files.readAllBytes(p));
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
