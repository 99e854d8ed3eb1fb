package lostupdatecounter;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import lostupdatecounter.MigrationStats.CopiedBatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lost update, model-checked: two workers record one batch each, and the model checker tries
 * the ways their steps can interleave until one loses an update (or none does). It finds the
 * interleaving on every run, however busy the machine, and the verdict shows it step by step.
 */
@Timeout(value = 60, unit = SECONDS)
class MigrationStatsInterleavingsTest {
    private static final int INVOCATIONS = 30;

    /** Published through a field, so that the model checker follows every access to it. */
    private static MigrationStats stats;

    @Test
    @DisplayName("two workers recording a batch each: no interleaving of their steps loses one (model-checked)")
    void noInterleavingLosesABatch() {
        Interleavings.check(INVOCATIONS, () -> {
            stats = new MigrationStats();
            Thread worker1 = new Thread(() -> stats.recordBatch(new Batch(3, 1_200)));
            Thread worker2 = new Thread(() -> stats.recordBatch(new Batch(5, 2_000)));
            worker1.start();
            worker2.start();
            join(worker1);
            join(worker2);
            long records = stats.migratedRecords();
            if (records != 8) {
                throw Pitfalls.race("two workers recorded batches of 3 and 5 records, but the stats show " + records
                        + ": one worker's update overwrote the other's (the steps below). Reading the total and"
                        + " writing it back are separate steps, and another worker got between them.");
            }
            long bytes = stats.migratedBytes();
            if (bytes != 3_200) {
                throw Pitfalls.race("the record total is right, but the byte total is " + bytes + " instead of 3200:"
                        + " one worker's byte update overwrote the other's (the steps below).");
            }
        });
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Batch(int recordCount, long byteCount) implements CopiedBatch {
    }
}
