package lostexception;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The nightly import of laboratory results for a multi-site clinical trial. Every hospital site
 * drops a results file; the import parses each site's file and writes the values to the trial
 * database, several sites at a time. The morning report tells the data managers which sites made
 * it in and which need a look.
 */
public final class LabImport {

    /** Imports one site's results file. */
    public interface SiteImporter {
        /** Parses and stores the site's file; returns the number of result rows written. */
        int importSite(String site) throws Exception;
    }

    /**
     * The morning report: rows written per site that was imported, and the cause for every site
     * that was not.
     */
    public record ImportReport(Map<String, Integer> imported, Map<String, Throwable> failed) {
    }

    private static final int PARALLEL_SITES = 4;

    private final SiteImporter importer;

    public LabImport(SiteImporter importer) {
        this.importer = Objects.requireNonNull(importer, "importer");
    }

    /** Imports every site, {@value #PARALLEL_SITES} at a time, and reports how each one went. */
    public ImportReport importAll(List<String> sites) throws InterruptedException {
        Map<String, Future<Integer>> running = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_SITES)) {
            for (String site : sites) {
                running.put(site, pool.submit(() -> importer.importSite(site)));
            }
        } // close() waits until every site's import has ended

        // A task's exception is kept in its Future: read every Future, or the failure is lost.
        Map<String, Integer> imported = new LinkedHashMap<>();
        Map<String, Throwable> failed = new LinkedHashMap<>();
        for (Map.Entry<String, Future<Integer>> job : running.entrySet()) {
            try {
                imported.put(job.getKey(), job.getValue().get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                while (cause.getCause() != null) { // down to the root cause, where the problem really is
                    cause = cause.getCause();
                }
                failed.put(job.getKey(), cause);
            }
        }
        return new ImportReport(imported, failed);
    }
}
