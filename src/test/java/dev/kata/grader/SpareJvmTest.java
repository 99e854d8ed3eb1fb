package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.catalog.Kata;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A grader kept for a session starts the next check's JVM ahead, and each check still gets a fresh JVM. */
class SpareJvmTest {
    @TempDir
    Path temp;

    @Test
    void aSpareJvmIsReadyAfterACheckEachCheckRunsInAFreshOneAndCloseEndsIt() throws Exception {
        Kata kata = Fixtures.hostileKata();
        // The hidden test counts calls in a static field: a JVM used twice would see 2 calls before the test's own.
        Path source = Files.createDirectories(temp.resolve("src"));
        Files.writeString(source.resolve("Target.java"), """
                package hostile;

                public final class Target {
                    static int calls;

                    public static int answer() {
                        if (++calls > 2) {
                            throw new IllegalStateException("this JVM ran a check before: " + calls + " calls");
                        }
                        return 42;
                    }
                }
                """);
        try (Grader grader = new Grader(GraderSettings.defaults(temp.resolve("cache")), true)) {
            assertFalse(grader.hasSpare());
            for (int i = 0; i < 3; i++) {
                Verdict verdict = grader.check(kata, source, CheckListener.NONE);
                assertTrue(verdict.passed(), verdict.summary());
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!grader.hasSpare() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(grader.hasSpare(), "the next check's JVM is started");
            }
            assertEquals(2, grader.sparesUsed(), "the second and third checks ran in the spare started for them");
            assertEquals(1, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                    "one spare, nothing else");
        }
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "close ends the spare");
    }
}
