package lostexception;

import static org.junit.jupiter.api.Assertions.fail;

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

    @Test
    @Order(3)
    void aCleanNightReportsEverySite() throws Exception {
        ScriptedImporter importer = new ScriptedImporter();
        List<String> sites = List.of("north", "south", "east", "west", "central", "harbour", "valley");

        ImportReport report = run(importer, sites);

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
    @Order(4)
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

    private static ImportReport run(ScriptedImporter importer, List<String> sites) throws InterruptedException {
        ImportReport report;
        try {
            report = new LabImport(importer).importAll(sites);
        } catch (RuntimeException e) {
            throw Pitfalls.lostWork("importAll() threw " + e + " instead of returning the morning report. One "
                    + "site's failure must not hide how the other sites went: their rows were written, and the "
                    + "data managers need to know that, and which site needs a look. Report each failure "
                    + "next to the successes.");
        }
        if (report == null || report.imported() == null || report.failed() == null) {
            fail("importAll() returned an incomplete report: " + report);
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
            Throwable error = failures.get(site);
            if (error instanceof Exception e) {
                throw e;
            }
            if (error instanceof Error e) {
                throw e;
            }
            return rowsFor(site);
        }
    }
}
