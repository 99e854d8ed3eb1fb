package dev.kata.authoring;

import dev.kata.catalog.MutantPatch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files {@code kata new} writes: a small but real kata (report writers that must be joined
 * before {@code export} returns) that passes {@code kata validate} as it is, for the author to
 * reshape into the team's own pitfall. Learners never see kata.toml, so the notes to the author
 * live there.
 */
final class KataTemplate {
    static final String CLASS_NAME = "ReportExporter";
    static final String MUTANT = "example";

    private KataTemplate() {
    }

    /** Each file's path inside the kata folder, and its text. */
    static Map<String, String> files(String javaPackage, String title) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("kata.toml", KATA_TOML.replace("@TITLE@", title.replace("\\", "\\\\").replace("\"", "\\\"")));
        files.put("story.md", STORY.replace("@TITLE@", title));
        files.put("hints.md", HINTS);
        files.put("solution.md", SOLUTION_NOTES);
        files.put("contract.toml", CONTRACT);
        files.put("starter/" + CLASS_NAME + ".java", STARTER);
        files.put("solution/" + CLASS_NAME + ".java", SOLUTION);
        files.put("mutants/" + MUTANT + MutantPatch.SUFFIX,
                MutantPatch.between(CLASS_NAME + ".java", "mutants/" + MUTANT, SOLUTION, MUTANT_SOURCE));
        files.put("tests/" + CLASS_NAME + "Test.java", TESTS);
        files.replaceAll((name, text) -> text.replace("@PACKAGE@", javaPackage));
        return files;
    }

    private static final String KATA_TOML = """
            # Made by `kata new`: a small, working kata (writer threads that must be joined) that
            # passes `kata validate` as it is. Reshape it into your team's own pitfall: the story,
            # the starter, the reference solution, the wrong fixes in mutants/ and the hidden tests.
            # The format: docs/kata-format.md; packs, authoring and validation: docs/packs.md.
            # The grader checks every hidden test for threads left running (leak) and for deadlocks
            # by itself: the tests only call the code and check its results.
            # solution/ holds only the starter files it changes; each mutant is a patch of the solution
            # (mutants/<name>.patch, as diff -u prints it) or a folder of whole files
            # (mutants/<name>/). Files the learner does not edit go in support/ (compiled with every
            # check, never the learner's).
            # contract.toml lists what "Your task" promises and the tests that hold each promise.
            title = "@TITLE@"
            summary = "A report goes out on several threads at once, and export returns before they are done."
            pitfall = "lost-work"     # the verdict reason the starter must fail with
            test_timeout_ms = 5000    # limit for one hidden test
            check_timeout_ms = 60000  # limit for the whole check (generous: busy CI machines are slow)

            [mutants]                 # one line per mutant in mutants/: why that fix is wrong
            example = "Sleeps a while instead of waiting for the writers: a slower destination outlasts any guess, and the report is cut short."
            """;

    private static final String CONTRACT = """
            # The clauses of story.md's "Your task", each held by hidden tests (kata validate checks
            # that every clause names tests that exist, and warns of a test that no clause names).
            [[clauses]]
            id = "whole-report-on-return"
            says = "When export returns, every destination has the whole report, in order."
            tests = ["everyDestinationHasTheWholeReportWhenExportReturns", "anEmptyReportWritesNothing"]
            paths = ["slow destinations", "no lines"]

            [[clauses]]
            id = "interrupt-kept"
            says = "A caller interrupted while export waits stops the writers and keeps its interrupt."
            tests = ["anInterruptedCallerKeepsItsInterrupt"]
            paths = ["the caller interrupted before export waits"]

            [[clauses]]
            id = "no-thread-left"
            says = "No thread export started is left running."
            tests = ["everyDestinationHasTheWholeReportWhenExportReturns", "anInterruptedCallerKeepsItsInterrupt"]
            paths = ["the grader's leak check after each test", "writers interrupted mid-report"]
            """;

    private static final String STORY = """
            # @TITLE@

            ## The story
            Every night the billing service sends the day's report to each partner: a file share, an
            archive, an auditor's API. Each destination is slow, so each gets a writer thread of its
            own and they all write at once. When `export` returns, the job logs "report sent" and
            closes the connections.

            Since the change, partners now and then get a report that stops halfway, or an empty one,
            while the job's log says everything went out.

            ## Where it comes from (Go)
            In Go the export started one goroutine per destination with `go write(dest, lines)` and
            returned. Nothing waited for those goroutines, so the function was done while they were
            still writing, and whatever ran next (closing the files, exiting the program) cut them
            short. The Go fix is a `sync.WaitGroup`: `wg.Add(1)` before each `go`, `defer wg.Done()`
            in the goroutine, and `wg.Wait()` before returning (or an `errgroup.Group`).

            ## The Java form
            `ReportExporter.export(lines, destinations)` starts a platform thread per destination
            and returns at once. The writers are still busy when the caller believes the report is
            out.

            ## Your task
            Make `export` return only once every destination has the whole report, in order, while
            the destinations are still written to at the same time. If the caller is interrupted
            while `export` waits, stop the writers and return with the caller's interrupt still set.
            The hidden tests use slow destinations, check each one's lines the moment `export`
            returns, interrupt a caller, and check that no thread `export` started is left running.
            """;

    private static final String HINTS = """
            When `export` returns, what are the writer threads doing? The caller acts on "the report
            is out" right away.
            ---
            Starting a thread does not wait for it. Keep each writer you start, and wait for all of
            them before `export` returns. Waiting inside the loop, right after each start, would write
            to the destinations one after the other.
            ---
            `Thread.join()` waits until a thread has ended. Start every writer first, collect them in a
            list, then `join()` each one. A `sleep` is a guess, not a wait.
            """;

    private static final String SOLUTION_NOTES = """
            `export` starts every writer first, so the destinations are written to at the same time,
            and then joins each writer: `Thread.join()` returns only when that thread has ended, so
            when `export` returns every destination has every line, and no thread is left behind.
            If the caller is interrupted while waiting, `export` interrupts the writers it started and
            keeps the interrupt for its caller.

            This is Go's `sync.WaitGroup`: `Add` before each `go`, `Done` when a goroutine ends,
            `Wait` before returning. In Java, an `ExecutorService` in try-with-resources does the same
            (`close()` waits for its tasks).
            """;

    private static final String STARTER = """
            package @PACKAGE@;

            import java.util.List;
            import java.util.function.Consumer;

            /** Sends a report to several slow destinations at once: each destination gets a writer thread. */
            public final class ReportExporter {
                private ReportExporter() {
                }

                /**
                 * Writes every line, in order, to each destination. When this returns the report is
                 * out: the caller closes the destinations and logs that it is done.
                 */
                public static void export(List<String> lines, List<Consumer<String>> destinations) {
                    for (Consumer<String> destination : destinations) {
                        Thread.ofPlatform().name("report-writer").start(() -> {
                            for (String line : lines) {
                                destination.accept(line);
                            }
                        });
                    }
                }
            }
            """;

    private static final String SOLUTION = """
            package @PACKAGE@;

            import java.util.ArrayList;
            import java.util.List;
            import java.util.function.Consumer;

            /** Sends a report to several slow destinations at once: each destination gets a writer thread. */
            public final class ReportExporter {
                private ReportExporter() {
                }

                /**
                 * Writes every line, in order, to each destination. When this returns the report is
                 * out: the caller closes the destinations and logs that it is done.
                 */
                public static void export(List<String> lines, List<Consumer<String>> destinations) {
                    List<Thread> writers = new ArrayList<>();
                    for (Consumer<String> destination : destinations) {
                        writers.add(Thread.ofPlatform().name("report-writer").start(() -> {
                            for (String line : lines) {
                                destination.accept(line);
                            }
                        }));
                    }
                    try {
                        for (Thread writer : writers) {
                            writer.join();
                        }
                    } catch (InterruptedException e) {
                        writers.forEach(Thread::interrupt);
                        Thread.currentThread().interrupt();
                    }
                }
            }
            """;

    private static final String MUTANT_SOURCE = """
            package @PACKAGE@;

            import java.util.List;
            import java.util.function.Consumer;

            /** Sends a report to several slow destinations at once: each destination gets a writer thread. */
            public final class ReportExporter {
                private ReportExporter() {
                }

                /**
                 * Writes every line, in order, to each destination. When this returns the report is
                 * out: the caller closes the destinations and logs that it is done.
                 */
                public static void export(List<String> lines, List<Consumer<String>> destinations) {
                    for (Consumer<String> destination : destinations) {
                        Thread.ofPlatform().name("report-writer").start(() -> {
                            for (String line : lines) {
                                destination.accept(line);
                            }
                        });
                    }
                    try {
                        Thread.sleep(100); // should be long enough for the writers to finish
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            """;

    private static final String TESTS = """
            package @PACKAGE@;

            import static org.junit.jupiter.api.Assertions.assertEquals;

            import dev.kata.probe.api.Pitfalls;
            import java.util.ArrayList;
            import java.util.Collections;
            import java.util.List;
            import java.util.function.Consumer;
            import java.util.stream.IntStream;
            import org.junit.jupiter.api.Test;

            /**
             * The hidden tests. The grader runs each one in a JVM of its own making, under a time
             * limit, and after each test fails it if a thread the test started is still alive (a
             * leak) or if threads deadlock: no code is needed here for that.
             */
            class ReportExporterTest {
                private static final int LINES = 20;
                private static final long MILLIS_PER_LINE = 25;

                /** A destination that takes its time over each line, like a slow network share. */
                private static final class SlowDestination implements Consumer<String> {
                    final List<String> received = Collections.synchronizedList(new ArrayList<>());

                    @Override
                    public void accept(String line) {
                        try {
                            Thread.sleep(MILLIS_PER_LINE);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        received.add(line);
                    }
                }

                @Test
                void everyDestinationHasTheWholeReportWhenExportReturns() {
                    List<String> report = IntStream.rangeClosed(1, LINES).mapToObj(i -> "line " + i).toList();
                    List<SlowDestination> destinations = List.of(new SlowDestination(), new SlowDestination(),
                            new SlowDestination());

                    ReportExporter.export(report, List.copyOf(destinations));

                    // Each destination needs LINES * MILLIS_PER_LINE ms at the least: a writer still busy
                    // when export returns cannot have finished, whatever the machine's speed.
                    for (int i = 0; i < destinations.size(); i++) {
                        List<String> received = List.copyOf(destinations.get(i).received);
                        if (received.size() != LINES) {
                            throw Pitfalls.lostWork("export returned while destination " + (i + 1) + " had "
                                    + received.size() + " of " + LINES + " lines: its writer thread was still "
                                    + "busy. Wait for every writer you start before returning.");
                        }
                        assertEquals(report, received, "destination " + (i + 1) + " got the lines out of order");
                    }
                }

                @Test
                void anInterruptedCallerKeepsItsInterrupt() {
                    List<String> report = IntStream.rangeClosed(1, LINES).mapToObj(i -> "line " + i).toList();
                    SlowDestination destination = new SlowDestination();

                    Thread.currentThread().interrupt(); // the caller is being cancelled: export's wait ends at once
                    ReportExporter.export(report, List.of(destination));
                    boolean kept = Thread.interrupted(); // (and clears it for the tests after this one)

                    if (!kept) {
                        throw new AssertionError("export was interrupted while it waited, and returned with the "
                                + "interrupt cleared: its caller can no longer tell that it was cancelled. After "
                                + "catching InterruptedException, interrupt the current thread again.");
                    }
                }

                @Test
                void anEmptyReportWritesNothing() {
                    SlowDestination destination = new SlowDestination();

                    ReportExporter.export(List.of(), List.of(destination));

                    assertEquals(List.of(), destination.received);
                }
            }
            """;
}
