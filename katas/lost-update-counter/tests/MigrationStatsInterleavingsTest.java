package lostupdatecounter;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import lostupdatecounter.MigrationStats.CopiedBatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The lost update, model-checked: two workers record one batch each, and the model checker tries
 * the ways their steps can interleave until one loses an update (or none does). It finds the
 * interleaving on every run, however busy the machine, and the verdict shows it step by step. Then
 * the same with the first worker being shut down (its interrupt flag set): a fix that waits or
 * retries only when another worker got in first must count that batch too.
 */
@Timeout(value = 60, unit = SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationStatsInterleavingsTest {
    private static final int INVOCATIONS = 30;

    /** Published through a field, so that the model checker follows every access to it. */
    private static MigrationStats stats;

    @Test
    @Order(1)
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

    /** What the worker being shut down saw: what recordBatch threw, and whether its flag was still set. */
    private static volatile Throwable stoppingFailure;
    private static volatile boolean stoppingStillInterrupted;

    @Test
    @Order(2)
    @DisplayName("a worker being shut down (its interrupt flag set) records as another worker does: both batches"
            + " counted, the flag kept (model-checked)")
    void aWorkerBeingShutDownIsCountedBesideAnother() {
        Interleavings.check(INVOCATIONS, () -> {
            stats = new MigrationStats();
            stoppingFailure = null;
            stoppingStillInterrupted = false;
            Thread stopping = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    stats.recordBatch(new Batch(3, 1_200));
                } catch (Throwable e) {
                    stoppingFailure = e;
                }
                stoppingStillInterrupted = Thread.currentThread().isInterrupted();
            });
            Thread worker2 = new Thread(() -> stats.recordBatch(new Batch(5, 2_000)));
            stopping.start();
            worker2.start();
            join(stopping);
            join(worker2);
            long records = stats.migratedRecords();
            long bytes = stats.migratedBytes();
            String seen = String.format("thread 1, a worker being shut down (its interrupt flag set), recorded a"
                    + " batch of 3 records and 1,200 bytes while thread 2 recorded 5 records and 2,000 bytes:"
                    + " recordBatch %s to thread 1, and the stats show %,d records and %,d bytes, of 8 and 3,200"
                    + " copied (the steps below)", stoppingFailure == null ? "returned" : "threw " + stoppingFailure,
                    records, bytes);
            // thread 1's batch (or one of its counts) missing, and nothing else wrong
            boolean onlyThread1Missing = (records == 8 || records == 5) && (bytes == 3_200 || bytes == 2_000)
                    && (records != 8 || bytes != 3_200);
            if (stoppingFailure != null || onlyThread1Missing) {
                throw Pitfalls.lostWork(seen + (!onlyThread1Missing ? "."
                        : records == 5 && bytes == 2_000 ? ": nothing of thread 1's batch was counted."
                        : ": part of thread 1's batch was not counted.")
                        + " Count a copied batch whatever its worker's interrupt flag, also when recordBatch has to"
                        + " retry or wait for another worker: an interrupted wait (a sleep, a lock taken"
                        + " interruptibly) is no reason to leave it uncounted.");
            }
            if (records != 8 || bytes != 3_200) {
                throw Pitfalls.race(seen + ": an update was lost while both workers recorded. Each update must be"
                        + " one indivisible step, for a worker being shut down as for any other.");
            }
            if (!stoppingStillInterrupted) {
                throw new AssertionError("thread 1, a worker being shut down (its interrupt flag set), recorded a"
                        + " batch while thread 2 recorded one, and afterwards thread 1's interrupt flag was cleared"
                        + " (the steps below): the worker's own loop needs to see that flag to stop.");
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
