package lostexception;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
        Map<String, Integer> imported = new ConcurrentHashMap<>();
        Map<String, Throwable> failed = new ConcurrentHashMap<>();
        Map<String, CompletableFuture<Void>> outcomes = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_SITES)) {
            for (String site : sites) {
                CompletableFuture<Integer> rows = CompletableFuture.supplyAsync(() -> {
                    try {
                        return importer.importSite(site);
                    } catch (Exception e) {
                        throw new CompletionException(e); // Supplier cannot throw checked ones
                    }
                }, pool);
                // handle() sees every outcome: a row count, or the exception the import threw
                outcomes.put(site, rows.handle((count, error) -> {
                    if (error != null) {
                        failed.put(site, error);
                    } else {
                        imported.put(site, count);
                    }
                    return null;
                }));
            }
        } // close() waits until every site's import has ended
        CompletableFuture.allOf(outcomes.values().toArray(new CompletableFuture<?>[0])).join();
        return new ImportReport(imported, failed);
    }
}
