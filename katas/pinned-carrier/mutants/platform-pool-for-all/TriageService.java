package pinnedcarrier;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The trial's triage service. Nurses look up patients' records all day (each lookup waits on
 * the records database); every few minutes the risk model re-scores a cohort of patients, a
 * few seconds of pure computation.
 */
public final class TriageService implements AutoCloseable {

    /** The records database: blocks until the record arrives. */
    public interface Records {
        String fetch(String patientId) throws InterruptedException;
    }

    /** The risk model: CPU-bound, takes seconds for a cohort, never blocks. */
    public interface RiskModel {
        double score(String cohort);
    }

    private final Records records;
    private final RiskModel model;
    /** Virtual threads misbehave with CPU-heavy work: back to a good old thread pool. */
    private final ExecutorService tasks = Executors.newFixedThreadPool(16);
    /** The model keeps internal state: one scoring run at a time. */
    private final Object modelLock = new Object();

    public TriageService(Records records, RiskModel model) {
        this.records = records;
        this.model = model;
    }

    /** Fetches a patient's record for a nurse's screen. */
    public Future<String> lookup(String patientId) {
        return tasks.submit(() -> records.fetch(patientId));
    }

    /** Re-scores a cohort with the risk model. */
    public Future<Double> rescore(String cohort) {
        return tasks.submit(() -> {
            synchronized (modelLock) {
                return model.score(cohort);
            }
        });
    }

    /** Waits for the tasks already submitted, then stops. */
    @Override
    public void close() {
        tasks.close();
    }
}
