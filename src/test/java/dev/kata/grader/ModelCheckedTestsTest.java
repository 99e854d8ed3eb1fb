package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.catalog.Kata;
import dev.kata.probe.api.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe keeps the model checker's instrumentation from one test to the next within a class that
 * names the checker, and gives it back to the checker for any other class: a model-checked test
 * reached through a helper, in a class that never names the checker, is still checked.
 */
class ModelCheckedTestsTest {
    private static final Grader GRADER = Fixtures.grader();
    private static final Kata KATA = new Kata("modelchecked", Fixtures.ROOT.resolve("modelchecked"),
            "Model-checked counter", "fixtures", Reason.RACE, "", "modelchecked", List.of("Counter.java"), Map.of(),
            Duration.ofSeconds(20), Duration.ofSeconds(60), List.of());

    @TempDir
    Path temp;

    @Test
    void aLostAddIsFoundInTheHeldClassAndThroughAHelperInTheNextOne() {
        Verdict verdict = GRADER.check(KATA, KATA.starterDir(), CheckListener.NONE);

        assertEquals(Status.FAIL, verdict.status(), verdict::toString);
        assertEquals(2, verdict.tests().size(), verdict::toString);
        for (TestResult test : verdict.tests()) {
            assertEquals(Status.FAIL, test.status(), () -> test.name() + ": " + verdict);
            assertTrue(test.message().contains("the count is 1"), () -> test.name() + ": " + test.message());
        }
    }

    /**
     * Proving a wrong fix wrong stops at its first failure: there the classes that do not name the
     * checker run first (CounterTest, whose helper starts the checker itself), so that a failure
     * among them ends the check before the checker is warmed up for the class that names it.
     */
    @Test
    void aCheckToTheFirstFailureRunsTheClassThatDoesNotNameTheCheckerFirst() {
        Verdict verdict = GRADER.checkUntilFirstFailure(KATA, KATA.starterDir());

        assertEquals(Status.FAIL, verdict.status(), verdict::toString);
        assertEquals(2, verdict.tests().size(), verdict::toString);
        for (TestResult test : verdict.tests()) {
            if (test.name().contains("ThroughAHelper")) {
                assertTrue(test.message().contains("the count is 1"), () -> test.name() + ": " + test.message());
            } else {
                assertEquals(Reason.NOT_RUN, test.reason(), () -> test.name() + ": " + verdict);
            }
        }
    }

    @Test
    void aCounterThatLosesNothingPassesBoth() throws Exception {
        Path source = Files.createDirectories(temp.resolve("src"));
        Files.writeString(source.resolve("Counter.java"), """
                package modelchecked;

                public final class Counter {
                    private int count;

                    public synchronized void add() {
                        count++;
                    }

                    public synchronized int count() {
                        return count;
                    }
                }
                """);

        Verdict verdict = GRADER.check(KATA, source, CheckListener.NONE);

        assertTrue(verdict.passed(), verdict::toString);
        assertEquals(2, verdict.tests().size(), verdict::toString);
    }

    /**
     * The JDK's own loops are not hangs: a ConcurrentHashMap growing past 16 bins loops 51 times
     * moving them, over the model checker's default bound of 50, which took it for a hang (a
     * correct fix of read-mostly-config was told it deadlocks).
     */
    @Test
    void aCounterOnAGrowingConcurrentHashMapIsNotTakenForAHang() throws Exception {
        Path source = Files.createDirectories(temp.resolve("src"));
        Files.writeString(source.resolve("Counter.java"), """
                package modelchecked;

                import java.util.Map;
                import java.util.concurrent.ConcurrentHashMap;

                public final class Counter {
                    private final Map<Integer, Integer> entries = new ConcurrentHashMap<>();

                    public synchronized void add() {
                        int start = entries.size();
                        for (int i = 0; i < 7; i++) {
                            entries.put(start + i, i); // the second add grows the map past 12 entries
                        }
                    }

                    public synchronized int count() {
                        return entries.size() / 7;
                    }
                }
                """);

        Verdict verdict = GRADER.check(KATA, source, CheckListener.NONE);

        assertTrue(verdict.passed(), verdict::toString);
    }

    /**
     * A session's spare JVM looks at its class path while it warms up, before the check has compiled
     * anything: the folder the model-checked classes go to must be there already, or it is dropped.
     */
    @Test
    void aCheckInASessionsSpareJvmFindsTheModelCheckedClasses() throws Exception {
        Path source = Files.createDirectories(temp.resolve("src"));
        Files.writeString(source.resolve("Counter.java"), """
                package modelchecked;

                public final class Counter {
                    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

                    public void add() {
                        count.incrementAndGet();
                    }

                    public int count() {
                        return count.get();
                    }
                }
                """);
        try (Grader grader = new Grader(GraderSettings.defaults(temp.resolve("cache")), true)) {
            for (int i = 0; i < 2; i++) {
                if (i > 0) {
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (!grader.hasSpare() && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    Thread.sleep(1500); // its warm-up has run by now
                }
                Verdict verdict = grader.check(KATA, source, CheckListener.NONE);
                assertTrue(verdict.passed(), "check " + (i + 1) + ": " + verdict);
            }
            assertEquals(1, grader.sparesUsed(), "the second check ran in the spare");
        }
    }

    /**
     * The checker reads the fields of a JDK lambda the learner's code holds (a comparator's key
     * extractor, here); without the JDK's packages opened to it, it threw into the learner's thread.
     */
    @Test
    void aCounterHoldingAJdkLambdaPassesBoth() throws Exception {
        Path source = Files.createDirectories(temp.resolve("src"));
        Files.writeString(source.resolve("Counter.java"), """
                package modelchecked;

                import java.util.Arrays;
                import java.util.Comparator;

                public final class Counter {
                    private static final Comparator<int[]> BY_FIRST = Comparator.comparingInt(a -> a[0]);
                    private final int[][] slots = {{2}, {1}};
                    private int count;

                    public synchronized void add() {
                        Arrays.sort(slots, BY_FIRST);
                        count++;
                    }

                    public synchronized int count() {
                        return count;
                    }
                }
                """);

        Verdict verdict = GRADER.check(KATA, source, CheckListener.NONE);

        assertTrue(verdict.passed(), verdict::toString);
    }
}
