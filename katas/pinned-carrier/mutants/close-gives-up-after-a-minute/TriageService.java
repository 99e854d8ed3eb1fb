package pinnedcarrier;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
    /** Lookups wait on the database: one virtual thread each. */
    private final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    /** The model computes: platform threads, which the OS time-slices with the carrier. */
    private final ExecutorService cpu = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
            Thread.ofPlatform().name("risk-model-", 1).factory());
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
        return cpu.submit(() -> {
            synchronized (modelLock) {
                return model.score(cohort);
            }
        });
    }

    /** Waits for the tasks already submitted, then stops. */
    @Override
    public void close() {
        tasks.close();
        // The usual shutdown idiom: let the model finish, but do not hang the shutdown forever.
        cpu.shutdown();
        try {
            if (!cpu.awaitTermination(1, TimeUnit.MINUTES)) {
                cpu.shutdownNow();
            }
        } catch (InterruptedException e) {
            cpu.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
