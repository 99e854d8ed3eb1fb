package contextcancel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionService;
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

    /** Java's stand-in for Go's ctx: one per request, handed to every job it starts. */
    private static final class RequestContext {
        boolean cancelled; // set by the request thread, polled by the jobs
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
        RequestContext ctx = new RequestContext();
        CompletionService<Integer> finished = new ExecutorCompletionService<>(jobs);
        List<Future<Integer>> running = new ArrayList<>(sites.size());
        try {
            for (String site : sites) {
                running.add(finished.submit(() -> anonymizeSite(ctx, studyId, site)));
            }
            int batches = 0;
            for (int i = 0; i < running.size(); i++) {
                batches += finished.take().get();
            }
            return new Summary(studyId, sites.size(), batches);
        } finally {
            ctx.cancelled = true;             // like closing ctx.Done()
            for (Future<Integer> job : running) {
                job.cancel(true);             // wakes up database calls that are blocked
            }
        }
    }

    /** One site's job: its batches, one after another. */
    private int anonymizeSite(RequestContext ctx, String studyId, String site) throws InterruptedException {
        int count = store.batchCount(studyId, site);
        for (int batch = 0; batch < count; batch++) {
            if (ctx.cancelled) {              // the "select on ctx.Done()" before each batch
                throw new InterruptedException("request cancelled");
            }
            store.anonymizeBatch(studyId, site, batch);
        }
        return count;
    }
}
