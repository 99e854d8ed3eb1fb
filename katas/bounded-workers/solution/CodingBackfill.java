package boundedworkers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

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
        // One permit per call the service accepts at once (Go: a buffered channel used as a semaphore).
        int limit = terminology.maxConcurrentCalls();
        Semaphore slots = new Semaphore(limit);
        List<Thread> workers = new ArrayList<>();
        try {
            for (String id : recordIds) {
                // Wait for a free slot before starting the next worker: at most `limit` workers, and
                // so at most `limit` lookups, exist at any time, however long the list is.
                slots.acquire();
                workers.add(Thread.ofVirtual().name("backfill-" + id).start(() -> {
                    try {
                        code(id, codes);
                    } finally {
                        slots.release(); // on every path, failures included, or the slots run out
                    }
                }));
            }
            // Every worker gives its slot back when it is done: holding all of them means all are done.
            slots.acquire(limit);
        } catch (InterruptedException e) {
            // The caller gave up on the backfill: call off the lookups in flight, and wait until
            // they have ended, so that none is left running behind the caller's back.
            workers.forEach(Thread::interrupt);
            slots.acquireUninterruptibly(limit);
            throw e;
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
