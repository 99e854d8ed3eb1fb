package lostexception;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import lostexception.LabImport.ImportReport;
import lostexception.LabImport.SiteImporter;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the lost-exception kata. The importer double writes a known number of rows for
 * each site, or throws what the test scripted for it, and counts the calls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabImportTest {

    @Test
    @Order(1)
    void aSiteWhoseImportThrowsShowsUpInTheReport() throws Exception {
        ScriptedImporter importer = new ScriptedImporter();
        importer.fail("east", new IllegalStateException(
                "results-east.csv row 17: potassium in 'mg', expected 'mmol/L'"));
        List<String> sites = List.of("north", "south", "east", "west", "central", "harbour");

        ImportReport report = run(importer, sites);

        expectFailureReported(report, "east", importer);
        expectImported(report, sites, importer);
    }

    @Test
    @Order(2)
    void checkedExceptionsAndErrorsAreReportedToo() throws Exception {
        ScriptedImporter importer = new ScriptedImporter();
        importer.fail("north", new IOException("results-north.csv: permission denied"));
        importer.fail("west", new StackOverflowError("parser: nesting too deep in results-west.xml"));
        List<String> sites = List.of("north", "south", "east", "west", "central");

        ImportReport report = run(importer, sites);

        expectFailureReported(report, "north", importer);
        expectFailureReported(report, "west", importer);
        expectImported(report, sites, importer);
    }

    /**
     * A failure must be in the report that importAll returns, not put there some time later: one
     * site that fails (the pool's last thread is the one whose import threw), and five sites of which
     * two fail, one with an Error. As everywhere, each failing import wraps its thread's
     * uncaught-exception handler so that it goes on only once importAll has returned (see run()).
     */
    @Test
    @Order(3)
    void aFailureIsInTheReportWhenImportAllReturns() throws Exception {
        ScriptedImporter alone = new ScriptedImporter();
        alone.fail("zeeland", new IOException("results-zeeland.csv: permission denied"));
        ImportReport report = run(alone, List.of("zeeland"));
        expectFailureReported(report, "zeeland", alone);
        expectImported(report, List.of("zeeland"), alone);

        ScriptedImporter two = new ScriptedImporter();
        two.fail("south", new IllegalStateException("results-south.csv row 17: potassium in 'mg'"));
        two.fail("central", new StackOverflowError("parser: nesting too deep in results-central.xml"));
        List<String> sites = List.of("north", "south", "east", "west", "central");
        report = run(two, sites);
        expectFailureReported(report, "south", two);
        expectFailureReported(report, "central", two);
        expectImported(report, sites, two);
    }

    @Test
    @Order(4)
    void aCleanNightReportsEverySite() throws Exception {
        ScriptedImporter importer = new ScriptedImporter();
        List<String> sites = List.of("north", "south", "east", "west", "central", "harbour", "valley");

        ImportReport report = run(importer, sites);

        if (!report.failed().isEmpty()) {
            fail("No import failed tonight, yet the report lists failures: " + report.failed());
        }
        expectImported(report, sites, importer);
    }


    /**
     * A clean night with one large site, whose import goes on longer than any time limit the
     * learner's code may set (the tests shorten them to 60 ms at most): it ends once the caller
     * has sat in a wait for a while and writes its rows; only if its thread is interrupted does it
     * stop at once, with an InterruptedException. Nothing in the test interrupts it.
     */
    @Test
    @Order(5)
    void aSlowSiteIsImportedNotFailed() throws Exception {
        ScriptedImporter importer = new ScriptedImporter();
        importer.slowSite = "archive";
        importer.caller = Thread.currentThread();
        List<String> sites = List.of("north", "archive", "south");

        ImportReport report = run(importer, sites);

        Throwable reported = report.failed().get("archive");
        if (reported != null || !report.imported().containsKey("archive")) {
            Throwable stopped = importer.slowStoppedWith;
            String ran = stopped == null
                    ? "ran for " + importer.heldMs + " ms and wrote " + ScriptedImporter.rowsFor("archive") + " rows"
                    : "was still running when its thread was interrupted, after " + importer.heldMs + " ms (nothing"
                            + " in the test interrupts it), and it stopped with " + describe(stopped);
            throw Pitfalls.lostWork("A clean night of " + sites + ", where site archive's import takes a while: it "
                    + ran + ". The report " + (reported == null ? "does not list archive as imported"
                            : "lists archive as failed with " + describe(reported) + (reported == stopped
                                    ? ", which its import threw only because it was interrupted"
                                    : ", an exception its import never threw"))
                    + ". The tests shorten every time limit your code hands to the JDK to 60 ms at most, so a"
                    + " limit on the night shows itself however generous it is. A slow site has not failed:"
                    + " wait for every import, however long it takes, and let it run.");
        }
        if (!report.failed().isEmpty()) {
            fail("No import failed tonight, yet the report lists failures: " + report.failed());
        }
        expectImported(report, sites, importer);
    }

    // ------------------------------------------------------------------ seeded scenarios

    /** What a site's import does in a scenario. */
    enum Outcome { ROWS, RUNTIME, CHECKED, ERROR, ASSERTION, EXECUTION_EXCEPTION, CANCELLATION, INTERRUPTED, COMPLETION }

    /**
     * Seeded nights: no site, one, exactly the pool's width, a few more, and far more sites than
     * threads; failures of every kind at any position, sites finishing in any order, and two
     * imports running at once on one LabImport; last, four sites that fail at the same moment.
     * Every site must be in its own call's report exactly once, with its rows or the very exception
     * its import threw.
     */
    @Test
    @Order(6)
    void everySiteIsReportedOnceInEveryScenario() throws Exception {
        long seed = Long.getLong("kata.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        int[] sizes = {0, 1, 4, 5, 150, 1 + random.nextInt(12), 1 + random.nextInt(12)};
        for (int round = 0; round < sizes.length; round++) {
            boolean together = round >= 5 || random.nextInt(3) == 0;
            ScenarioImporter importer = new ScenarioImporter();
            LabImport service = new LabImport(importer);
            List<Night> nights = new ArrayList<>();
            nights.add(Night.draw("a" + round, sizes[round], random, importer, round == 4));
            if (together) {
                nights.add(Night.draw("b" + round, 1 + random.nextInt(10), random, importer, false));
            }
            String scenario = "seed " + seed + ", round " + (round + 1) + ": " + nights
                    + (together ? ", both imports at once on one LabImport" : "");
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Thread> callers = new ArrayList<>();
            for (Night night : nights) {
                callers.add(Thread.ofPlatform().name("hidden-test-import-" + night.name).start(() -> {
                    try {
                        go.await();
                        night.report = service.importAll(night.sites);
                    } catch (Throwable t) {
                        night.thrown = t;
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < callers.size(); i++) {
                callers.get(i).join(1500);
                if (callers.get(i).isAlive()) {
                    throw Pitfalls.timeout(scenario + ". importAll for night " + nights.get(i).name
                            + " had not returned after 1.5 s, although every import ends within a few ms.");
                }
            }
            for (Night night : nights) {
                night.verify(scenario, importer);
            }
        }
        fourFailAtOnce(seed);
    }

    /**
     * Eight sites, the first four failing at the same moment, one of each kind: their failures reach
     * the learner's code together, so that anything the pool's threads share unsafely is written by
     * several of them at once, on every run (seeded failures alone meet only now and then).
     */
    private static void fourFailAtOnce(long seed) throws InterruptedException {
        ScenarioImporter importer = new ScenarioImporter();
        Night night = new Night("f");
        java.util.concurrent.CountDownLatch together = new java.util.concurrent.CountDownLatch(4);
        Outcome[] kinds = {Outcome.RUNTIME, Outcome.CHECKED, Outcome.ERROR, Outcome.ASSERTION};
        for (int i = 0; i < 8; i++) {
            String site = "site-f-" + i;
            night.sites.add(site);
            Outcome outcome = i < kinds.length ? kinds[i] : Outcome.ROWS;
            night.outcomes.put(site, outcome);
            importer.script(site, outcome, 0);
            if (i < kinds.length) {
                importer.failTogether(site, together);
            }
        }
        String scenario = "seed " + seed + ", last round: " + night + ", its four failures thrown at the same moment";
        Thread caller = Thread.ofPlatform().name("hidden-test-import-f").start(() -> {
            try {
                night.report = new LabImport(importer).importAll(night.sites);
            } catch (Throwable t) {
                night.thrown = t;
            }
        });
        caller.join(1500);
        if (caller.isAlive()) {
            throw Pitfalls.timeout(scenario + ". importAll had not returned after 1.5 s, although every import ends"
                    + " within a few ms.");
        }
        night.verify(scenario, importer);
    }

    static final class Night {
        final String name;
        final List<String> sites = new ArrayList<>();
        final Map<String, Outcome> outcomes = new java.util.LinkedHashMap<>();
        volatile ImportReport report;
        volatile Throwable thrown;

        Night(String name) {
            this.name = name;
        }

        /** A night of {@code size} sites; with {@code everyKind}, one site fails with each kind of failure, the last one too. */
        static Night draw(String name, int size, java.util.Random random, ScenarioImporter importer, boolean everyKind) {
            Night n = new Night(name);
            int failures = size == 0 ? 0 : random.nextInt(Math.min(size, 4) + 1);
            for (int i = 0; i < size; i++) {
                String site = "site-" + name + "-" + i;
                n.sites.add(site);
                n.outcomes.put(site, Outcome.ROWS);
            }
            for (int f = 0; f < failures; f++) {
                int at = f == 0 ? size - 1 : random.nextInt(size); // the last site fails, and others anywhere
                n.outcomes.put(n.sites.get(at), Outcome.values()[1 + random.nextInt(Outcome.values().length - 1)]);
            }
            Outcome[] kinds = Outcome.values();
            for (int k = 1; everyKind && k < kinds.length && size >= kinds.length; k++) {
                n.outcomes.put(n.sites.get(k == kinds.length - 1 ? size - 1 : (k - 1) * (size / kinds.length)), kinds[k]);
            }
            for (String site : n.sites) {
                importer.script(site, n.outcomes.get(site), random.nextInt(4));
            }
            return n;
        }

        void verify(String scenario, ScenarioImporter importer) {
            if (thrown != null) {
                throw Pitfalls.lostWork(scenario + ". importAll for night " + name + " threw " + thrown
                        + " instead of returning the morning report.");
            }
            if (report == null || report.imported() == null || report.failed() == null) {
                fail(scenario + ". importAll for night " + name + " returned an incomplete report: " + report);
            }
            for (String site : sites) {
                int calls = importer.calls(site);
                if (calls != 1) {
                    fail(scenario + ". Site " + site + " was imported " + calls + " times; every site must be "
                            + "imported exactly once.");
                }
                Outcome outcome = outcomes.get(site);
                boolean inImported = report.imported().containsKey(site);
                boolean inFailed = report.failed().containsKey(site);
                if (outcome == Outcome.ROWS) {
                    if (!inImported || inFailed) {
                        throw Pitfalls.lostWork(scenario + ". Site " + site + " imported "
                                + ScriptedImporter.rowsFor(site) + " rows without trouble, but the report of night "
                                + name + (inFailed ? " lists it as failed with " + describe(report.failed().get(site))
                                        : " does not list it as imported") + ".");
                    }
                    if (report.imported().get(site) != ScriptedImporter.rowsFor(site)) {
                        fail(scenario + ". Site " + site + " wrote " + ScriptedImporter.rowsFor(site)
                                + " rows, but the report says " + report.imported().get(site) + ".");
                    }
                } else {
                    Throwable thrownBySite = importer.thrown(site);
                    Throwable reported = report.failed().get(site);
                    if (reported == null) {
                        throw Pitfalls.lostWork(scenario + ". Site " + site + "'s import threw "
                                + describe(thrownBySite) + ", but the report of night " + name + " does not list it "
                                + "as failed" + (inImported ? "; it lists it as imported" : "") + ".");
                    }
                    if (reported != thrownBySite) {
                        fail(scenario + ". Site " + site + " is reported as failed with " + describe(reported)
                                + ", but its import threw " + describe(thrownBySite)
                                + (causedBy(reported, thrownBySite) ? ", which the reported one wraps" : "")
                                + ". The report must hold the import's own exception.");
                    }
                    if (inImported) {
                        fail(scenario + ". Site " + site + " is reported both as failed and as imported.");
                    }
                }
            }
            java.util.Set<String> extra = new java.util.TreeSet<>(report.imported().keySet());
            extra.addAll(report.failed().keySet());
            extra.removeAll(sites);
            if (!extra.isEmpty()) {
                fail(scenario + ". The report of night " + name + " lists sites it was not given: " + extra + ".");
            }
        }

        @Override
        public String toString() {
            Map<String, Outcome> failing = new TreeMap<>();
            outcomes.forEach((site, o) -> {
                if (o != Outcome.ROWS) {
                    failing.put(site, o);
                }
            });
            return "night " + name + " (" + sites.size() + (sites.size() == 1 ? " site" : " sites") + (failing.isEmpty() ? "" : ", failing " + failing)
                    + ")";
        }
    }

    static final class ScenarioImporter implements SiteImporter {
        private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        private final Map<String, Integer> delays = new ConcurrentHashMap<>();
        private final Map<String, Throwable> thrown = new ConcurrentHashMap<>();
        private final Map<String, Integer> calls = new ConcurrentHashMap<>();
        private final Map<String, java.util.concurrent.CountDownLatch> together = new ConcurrentHashMap<>();

        void script(String site, Outcome outcome, int delayMs) {
            outcomes.put(site, outcome);
            delays.put(site, delayMs);
        }

        /**
         * {@code site}'s failure waits for the other sites sharing {@code gate} to fail too (150 ms at
         * most, for code that imports fewer at a time), so that they are all thrown at once.
         */
        void failTogether(String site, java.util.concurrent.CountDownLatch gate) {
            together.put(site, gate);
        }

        int calls(String site) {
            return calls.getOrDefault(site, 0);
        }

        Throwable thrown(String site) {
            return thrown.get(site);
        }

        @Override
        public int importSite(String site) throws Exception {
            calls.merge(site, 1, Integer::sum);
            Thread.sleep(delays.getOrDefault(site, 0));
            Outcome outcome = outcomes.getOrDefault(site, Outcome.ROWS);
            Throwable t = switch (outcome) {
                case ROWS -> null;
                case RUNTIME -> new IllegalArgumentException(site + ": unit 'mg' where 'mmol/L' was expected");
                case CHECKED -> new IOException(site + ": results file is truncated");
                case ERROR -> new OutOfMemoryError(site + ": results file too large to parse");
                case ASSERTION -> new AssertionError(site + ": parser invariant broken");
                case EXECUTION_EXCEPTION -> new java.util.concurrent.ExecutionException(
                        site + ": the lab system's own batch job failed", new IOException("lab disk full"));
                case CANCELLATION -> new java.util.concurrent.CancellationException(
                        site + ": the lab cancelled its export");
                case INTERRUPTED -> new InterruptedException(site + ": the lab's export was interrupted");
                case COMPLETION -> new java.util.concurrent.CompletionException(
                        site + ": the lab's asynchronous export failed", new IOException("lab gateway reset"));
            };
            if (t == null) {
                return ScriptedImporter.rowsFor(site);
            }
            thrown.put(site, t);
            java.util.concurrent.CountDownLatch gate = together.get(site);
            if (gate != null) {
                gate.countDown();
                gate.await(150, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            if (t instanceof Exception e) {
                throw e;
            }
            throw (Error) t;
        }
    }

    // ------------------------------------------------------------------ checks

    /**
     * Runs importAll on this thread. Every failing import first wraps the uncaught-exception handler
     * of the thread it runs on (see {@link LateHandlers}), so that a failure recorded by such a
     * handler reaches the report late on every run; then the report as importAll returned it must
     * already hold every failure.
     */
    private static ImportReport run(ScriptedImporter importer, List<String> sites) throws InterruptedException {
        LateHandlers handlers = new LateHandlers(Thread.currentThread());
        importer.handlers = handlers;
        ImportReport report;
        Map<String, Throwable> failedAtReturn = new java.util.HashMap<>();
        try {
            report = new LabImport(importer).importAll(sites);
            if (report != null && report.failed() != null) {
                for (String site : importer.failures.keySet()) {
                    Throwable reported = report.failed().get(site);
                    if (reported != null) {
                        failedAtReturn.put(site, reported);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw Pitfalls.lostWork("importAll() threw " + e + " instead of returning the morning report. One "
                    + "site's failure must not hide how the other sites went: their rows were written, and the "
                    + "data managers need to know that, and which site needs a look. Report each failure "
                    + "next to the successes.");
        } finally {
            handlers.importAllReturned();
        }
        if (report == null || report.imported() == null || report.failed() == null) {
            fail("importAll() returned an incomplete report: " + report);
        }
        handlers.awaitHandlersDone();
        for (Map.Entry<String, Throwable> failure : new TreeMap<>(importer.failures).entrySet()) {
            String site = failure.getKey();
            Throwable thrown = failure.getValue();
            if (failedAtReturn.containsKey(site) || !sites.contains(site)) {
                continue;
            }
            boolean later = report.failed().get(site) != null;
            String seen = "Site " + site + "'s import threw " + describe(thrown) + ". When importAll returned, its"
                    + " report did not list " + site + " as failed";
            String afterwards = ", and " + site + " appeared in the report's failed map only afterwards"
                    + (handlers.reached(thrown) ? ", once that handler had run." : ".");
            if (handlers.reached(thrown) && !handlers.finishedBeforeReturn(thrown)) {
                throw Pitfalls.race(seen + ": " + (handlers.reachedBeforeReturn(thrown)
                        ? "by then the exception had been handed to the uncaught-exception handler of the thread"
                                + " that ran the import, which had not finished"
                        : "the exception reached the uncaught-exception handler of the thread that ran the import"
                                + " only after that")
                        + (later ? afterwards : ".")
                        + " A thread's uncaught-exception handler runs as the thread dies, after its pool has"
                        + " already let it go: close() and awaitTermination() do not wait for it, and nothing"
                        + " orders its writes before your read of the report. Keep each task's outcome (its"
                        + " Future) and read it in importAll.");
            }
            if (later) {
                throw Pitfalls.race(seen + afterwards + " Every site's outcome must be in the report by the time"
                        + " importAll returns it.");
            }
        }
        return report;
    }

    private static void expectFailureReported(ImportReport report, String site, ScriptedImporter importer) {
        Throwable thrown = importer.failures.get(site);
        if (importer.calls(site) == 0) {
            fail("Site " + site + " was never imported at all");
        }
        Throwable reported = report.failed().get(site);
        if (reported == null) {
            String what = describe(thrown);
            if (report.imported().containsKey(site)) {
                throw Pitfalls.lostWork("Site " + site + "'s import threw " + what + ", yet the morning report "
                        + "lists it as imported with " + report.imported().get(site) + " rows.");
            }
            throw Pitfalls.lostWork("Site " + site + "'s import threw " + what + ", but the morning report "
                    + "mentions " + site + " nowhere: not among the " + report.imported().size()
                    + " imported sites, not among the failures " + report.failed().keySet() + ". The exception "
                    + "was caught by the executor and stored in the Future that submit() returned; nothing "
                    + "ever called get() on it, so it vanished. (In Go an unrecovered panic in a goroutine "
                    + "crashes the whole program; in Java the task's exception is silently kept.) The data "
                    + "managers read \"no failures\" and the site's lab values are simply missing. Read every "
                    + "task's outcome and put each failure, with its cause, in the report. (An "
                    + "UncaughtExceptionHandler does not help here: with submit(), the exception never leaves "
                    + "the Future.)"
                    + (thrown instanceof Error ? " Note that this one is an Error, not an Exception: catching "
                            + "Exception inside the task does not see it." : ""));
        }
        if (reported != thrown) {
            if (causedBy(reported, thrown)) {
                fail("Site " + site + " is reported as failed with " + describe(reported) + ", a wrapper whose "
                        + "cause is what its import threw, " + describe(thrown) + ". Report the import's own "
                        + "exception, not a wrapper around it (for a Future, that is the ExecutionException's "
                        + "getCause()).");
            }
            fail("Site " + site + " is reported as failed with " + describe(reported) + ", but what its import "
                    + "threw was " + describe(thrown) + ". Keep the real cause: it is what the data managers "
                    + "need to fix the file.");
        }
        if (report.imported().containsKey(site)) {
            fail("Site " + site + " is reported both as failed and as imported");
        }
    }

    private static void expectImported(ImportReport report, List<String> sites, ScriptedImporter importer) {
        List<String> missing = new ArrayList<>();
        for (String site : sites) {
            if (importer.failures.containsKey(site)) {
                continue;
            }
            Integer rows = report.imported().get(site);
            if (rows == null) {
                missing.add(site);
            } else if (rows != ScriptedImporter.rowsFor(site)) {
                fail("Site " + site + " wrote " + ScriptedImporter.rowsFor(site) + " rows, but the report says " + rows);
            }
        }
        if (!missing.isEmpty()) {
            throw Pitfalls.lostWork("Sites " + missing + " were imported without trouble, but the report does not "
                    + "list them as imported" + (importer.failures.isEmpty() ? "" : ": another site's failure "
                    + "must not cost the others their place in the report") + ".");
        }
        Map<String, Integer> repeated = new TreeMap<>();
        for (String site : sites) {
            if (importer.calls(site) != 1) {
                repeated.put(site, importer.calls(site));
            }
        }
        if (!repeated.isEmpty()) {
            fail("Every site must be imported exactly once; the import calls per site were " + repeated);
        }
    }

    private static boolean causedBy(Throwable reported, Throwable thrown) {
        for (Throwable t = reported; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == thrown) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        return t == null ? "nothing" : t.getClass().getSimpleName() + " (\"" + t.getMessage() + "\")";
    }

    // ------------------------------------------------------------------ the importer double

    static final class ScriptedImporter implements SiteImporter {
        final Map<String, Throwable> failures = new ConcurrentHashMap<>();
        private final Map<String, Integer> calls = new ConcurrentHashMap<>();
        /** If set, a failing import first wraps its thread's uncaught-exception handler with these. */
        volatile LateHandlers handlers;
        /** A site whose import runs until {@link #caller} has sat in a wait a while, or it is interrupted. */
        volatile String slowSite;
        volatile Thread caller;
        volatile long heldMs = -1;
        volatile Throwable slowStoppedWith;

        void fail(String site, Throwable error) {
            failures.put(site, error);
        }

        int calls(String site) {
            return calls.getOrDefault(site, 0);
        }

        static int rowsFor(String site) {
            return 100 + site.length() * 37;
        }

        @Override
        public int importSite(String site) throws Exception {
            calls.merge(site, 1, Integer::sum);
            if (site.equals(slowSite)) {
                runLong();
            }
            Throwable error = failures.get(site);
            LateHandlers late = handlers;
            if (error != null && late != null) {
                late.wrapThisThreadsHandler();
            }
            if (error instanceof Exception e) {
                throw e;
            }
            if (error instanceof Error e) {
                throw e;
            }
            return rowsFor(site);
        }

        /**
         * Goes on until the caller has sat in a wait for longer than any shortened limit (scaled
         * with the load), for 1.5 s at most; if its thread is interrupted, it stops at once with an
         * InterruptedException, as an import that answers to interrupts does.
         */
        private void runLong() throws InterruptedException {
            long start = System.nanoTime();
            long stillNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Patience.millis(120, 400));
            long end = start + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Patience.millis(600, 1500));
            long stillSince = 0;
            try {
                while (System.nanoTime() < end) {
                    Thread.State state = caller.getState();
                    boolean waiting = caller == Thread.currentThread() // imported on the caller's own thread
                            || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
                    long now = System.nanoTime();
                    if (!waiting) {
                        stillSince = 0;
                    } else if (stillSince == 0) {
                        stillSince = now;
                    } else if (now - stillSince > stillNanos) {
                        break;
                    }
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                heldMs = elapsedMs(start);
                InterruptedException stopped = new InterruptedException(
                        "results-" + slowSite + ".csv: import interrupted after " + heldMs + " ms");
                slowStoppedWith = stopped;
                throw stopped;
            }
            heldMs = elapsedMs(start);
        }

        private static long elapsedMs(long start) {
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    /**
     * Uncaught-exception handlers held back until importAll has returned, as a thread may be kept off
     * the CPU on a busy machine: each wraps the handler a failing import's thread had (a thread
     * other than the caller's), and calls it once importAll has returned, once the caller has sat in
     * a wait for a while (so code that waits for the handler, joining its thread, is only slowed), or
     * after 1.5 s. A handler never called (a submitted task's failure stays in its Future) costs nothing.
     */
    static final class LateHandlers {
        private final Thread caller;
        private final java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(1);
        /** Each exception handed to a held handler: whether importAll had not yet returned then. */
        private final Map<Throwable, Boolean> reached = java.util.Collections.synchronizedMap(
                new java.util.IdentityHashMap<>());
        /** Each exception whose held handler has returned: whether importAll had not yet returned then. */
        private final Map<Throwable, Boolean> finished = java.util.Collections.synchronizedMap(
                new java.util.IdentityHashMap<>());
        private final java.util.Set<Thread> failingThreads = ConcurrentHashMap.newKeySet();
        private final java.util.Set<Thread> inHandler = ConcurrentHashMap.newKeySet();

        LateHandlers(Thread caller) {
            this.caller = caller;
        }

        void wrapThisThreadsHandler() {
            Thread me = Thread.currentThread();
            Thread.UncaughtExceptionHandler current = me.getUncaughtExceptionHandler();
            if (me == caller || current == null) {
                return;
            }
            failingThreads.add(me);
            if (!(current instanceof Held)) {
                me.setUncaughtExceptionHandler(new Held(current));
            }
        }

        boolean reached(Throwable t) {
            return reached.containsKey(t);
        }

        boolean reachedBeforeReturn(Throwable t) {
            return Boolean.TRUE.equals(reached.get(t));
        }

        boolean finishedBeforeReturn(Throwable t) {
            return Boolean.TRUE.equals(finished.get(t));
        }

        void importAllReturned() {
            returned.countDown();
        }

        /**
         * Waits until every thread on which an import threw has ended, or sits in a wait outside a
         * held handler (an idle pool thread), so that a handler it was still on its way to has run.
         */
        void awaitHandlersDone() throws InterruptedException {
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                    Patience.millis(1000, 1500));
            while (System.nanoTime() < end && !failingThreads.stream().allMatch(this::settled)) {
                Thread.sleep(1);
            }
        }

        private boolean settled(Thread t) {
            Thread.State state = t.getState();
            return state == Thread.State.TERMINATED || !inHandler.contains(t)
                    && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING);
        }

        private final class Held implements Thread.UncaughtExceptionHandler {
            private final Thread.UncaughtExceptionHandler next;

            Held(Thread.UncaughtExceptionHandler next) {
                this.next = next;
            }

            @Override
            public void uncaughtException(Thread t, Throwable e) {
                inHandler.add(t);
                try {
                    reached.put(e, returned.getCount() > 0);
                    holdUntilReturned();
                    next.uncaughtException(t, e);
                } finally {
                    finished.put(e, returned.getCount() > 0);
                    inHandler.remove(t);
                }
            }

            private void holdUntilReturned() {
                long stillNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Patience.millis(80, 300));
                long end = System.nanoTime() + 1_500_000_000L;
                long stillSince = 0;
                try {
                    while (returned.getCount() > 0 && System.nanoTime() < end) {
                        Thread.State state = caller.getState();
                        boolean waiting = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
                        long now = System.nanoTime();
                        if (!waiting) {
                            stillSince = 0;
                        } else if (stillSince == 0) {
                            stillSince = now;
                        } else if (now - stillSince > stillNanos) {
                            return; // the caller waits, perhaps for this very handler
                        }
                        returned.await(1, java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
