package contextcancel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Serves the "anonymize this study" request of the clinical data platform: before a study's
 * records leave the hospital network, every participant's name, birth date and address is
 * replaced by a pseudonym, site by site.
 *
 * <p>A multi-site study is anonymized in parallel, one background job per site, and the
 * request waits for all of them. The HTTP server calls {@link #anonymize} on the request's own
 * thread; when the client hangs up or the gateway times out, the server cancels the request by
 * interrupting that thread.
 */
public final class AnonymizationService {

    /** The clinical records of every site. Calls are slow: each batch is a database round trip. */
    public interface RecordStore {
        /** How many batches of records {@code site} holds for {@code studyId}. */
        int batchCount(String studyId, String site);

        /**
         * Replaces identifying fields in one batch of records. A call blocked on the database
         * returns with {@link InterruptedException} when its thread is interrupted.
         */
        void anonymizeBatch(String studyId, String site, int batch) throws InterruptedException;
    }

    /** What the request reports back once every site is done. */
    public record Summary(String studyId, int sites, int batches) {
    }

    private final RecordStore store;
    private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();

    public AnonymizationService(RecordStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Anonymizes every batch of every site of {@code studyId}, one background job per site, and
     * waits until all of them are done.
     */
    public Summary anonymize(String studyId, List<String> sites) throws InterruptedException, ExecutionException {
        // Jobs are handed back as they end, whichever site that is: a site that fails fails the
        // request at once, not when the sites started before it are done.
        ExecutorCompletionService<Integer> ended = new ExecutorCompletionService<>(jobs);
        List<Future<Integer>> running = new ArrayList<>();
        for (String site : sites) {
            running.add(ended.submit(() -> anonymizeSite(studyId, site)));
        }

        try {
            int batches = 0;
            for (int i = 0; i < running.size(); i++) {
                batches += ended.take().get();
            }
            return new Summary(studyId, sites.size(), batches);
        } finally {
            // However this request ends (done, cancelled, or a site failed), no job may outlive
            // it. cancel(true) interrupts a job that is still running; on a finished one it does
            // nothing.
            for (Future<Integer> job : running) {
                job.cancel(true);
            }
        }
    }

    /** One site's job: its batches, one after another. */
    private int anonymizeSite(String studyId, String site) throws InterruptedException {
        int count = store.batchCount(studyId, site);
        for (int batch = 0; batch < count; batch++) {
            // A batch that was busy when the request was cancelled may finish anyway: check
            // before starting the next one (Go: select on ctx.Done() between batches).
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("request cancelled: site " + site + " stopped before batch " + batch);
            }
            store.anonymizeBatch(studyId, site, batch); // a blocked call ends when interrupted
        }
        return count;
    }
}
