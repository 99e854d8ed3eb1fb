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

    /** One request's progress, shared with its jobs (the console polls it for its progress bar). */
    private static final class Progress {
        volatile boolean cancelled;
        volatile int batchesDone;
    }

    private final RecordStore store;
    private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();

    public AnonymizationService(RecordStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Anonymizes every batch of every site of {@code studyId}, one background job per site, and
     * waits until all of them are done. However the request ends, the jobs still running are
     * interrupted and stop at their next batch; the request does not wait for them.
     */
    public Summary anonymize(String studyId, List<String> sites) throws InterruptedException, ExecutionException {
        Progress progress = new Progress();
        CompletionService<Integer> ended = new ExecutorCompletionService<>(jobs);
        List<Future<Integer>> running = new ArrayList<>(sites.size());
        try {
            for (String site : sites) {
                running.add(ended.submit(() -> anonymizeSite(studyId, site, progress)));
            }
            for (int i = 0; i < running.size(); i++) {
                ended.take().get(); // a failed site throws its ExecutionException here
            }
            return new Summary(studyId, sites.size(), progress.batchesDone);
        } finally {
            progress.cancelled = true;
            for (Future<Integer> job : running) {
                job.cancel(true);
            }
        }
    }

    /** One site's job: its batches, one after another, until its request is over. */
    private int anonymizeSite(String studyId, String site, Progress progress) throws InterruptedException {
        int count = store.batchCount(studyId, site);
        for (int batch = 0; batch < count; batch++) {
            if (progress.cancelled || Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("request cancelled");
            }
            store.anonymizeBatch(studyId, site, batch);
            progress.batchesDone++; // volatile: the console and the request see it at once
        }
        return count;
    }
}
