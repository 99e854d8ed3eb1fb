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
    /** Filled by the tasks as sites finish; cleared at the start of every night. */
    private final Map<String, Integer> imported = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Throwable> failed = new java.util.concurrent.ConcurrentHashMap<>();

    public LabImport(SiteImporter importer) {
        this.importer = Objects.requireNonNull(importer, "importer");
    }

    public ImportReport importAll(List<String> sites) throws InterruptedException {
        imported.clear();
        failed.clear();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_SITES)) {
            for (String site : sites) {
                pool.execute(() -> {
                    try {
                        imported.put(site, importer.importSite(site));
                    } catch (Throwable t) {
                        failed.put(site, t); // every failure, Errors included
                    }
                });
            }
        }
        return new ImportReport(new LinkedHashMap<>(imported), new LinkedHashMap<>(failed));
    }
}
