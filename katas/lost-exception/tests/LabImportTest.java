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
        if (!causedBy(reported, thrown)) {
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
