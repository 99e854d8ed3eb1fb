package lostupdatecounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import lostupdatecounter.MigrationStats.CopiedBatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationStatsTest {

    /** Workers of the stress test: more than the cores, so that they interleave even on a busy machine. */
    private static final int WORKERS = 16;
    private static final int BATCHES_PER_WORKER = 5_000;
    private static final int ROUNDS = 3;

    // ------------------------------------------------------------------------------------
    // 1. The lost update, made deterministic: worker-1 is slow to size its batch, and
    //    worker-2 reports its own batches in exactly that gap.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @DisplayName("a batch recorded while another worker is still adding its own is not overwritten")
    void batchesRecordedMeanwhileAreNotOverwritten() throws Exception {
        MigrationStats stats = new MigrationStats();
        Batch earlier = new Batch(1_000, 600_000);
        Batch big = new Batch(500, 300_000);
        Batch small1 = new Batch(40, 24_000);
        Batch small2 = new Batch(60, 36_000);
        stats.recordBatch(earlier);

        Semaphore gapOpen = new Semaphore(0);
        CountDownLatch[] smallDone = {new CountDownLatch(1), new CountDownLatch(1)};
        Batch[] smalls = {small1, small2};
        int[] insideCall = {0};
        AtomicReference<Throwable> failure = new AtomicReference<>();

        // worker-2: each time worker-1 is busy sizing its batch, report one small batch.
        Thread worker2 = Thread.ofPlatform().name("migration-worker-2").unstarted(() -> {
            try {
                for (int k = 0; k < 2; k++) {
                    if (!gapOpen.tryAcquire(2, TimeUnit.SECONDS)) {
                        return;
                    }
                    synchronized (insideCall) {
                        insideCall[0] = k + 1;
                    }
                    stats.recordBatch(smalls[k]);
                    smallDone[k].countDown();
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        // worker-1's batch sums its rows lazily: the first time each count is asked for, it
        // takes a while, and worker-2 gets to report a batch in the meantime (or, if worker-2
        // has to wait for worker-1, worker-1 simply goes on).
        Batch slowBig = new Batch(big.records, big.bytes) {
            private int gaps;

            @Override
            public int recordCount() {
                openGap();
                return super.recordCount();
            }

            @Override
            public long byteCount() {
                openGap();
                return super.byteCount();
            }

            private void openGap() {
                if (Thread.currentThread().getName().equals("migration-worker-1") && gaps < 2) {
                    CountDownLatch done = smallDone[gaps++];
                    gapOpen.release();
                    waitForOrBlocked(done, worker2, insideCall);
                }
            }
        };
        Thread worker1 = Thread.ofPlatform().name("migration-worker-1").unstarted(() -> {
            try {
                stats.recordBatch(slowBig);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        worker2.start();
        worker1.start();
        worker1.join(3000);
        gapOpen.release(2); // lets worker-2 finish if worker-1 never asked for its counts
        worker2.join(3000);
        if (worker1.isAlive() || worker2.isAlive()) {
            fail("recordBatch did not return within 3 s for two workers reporting three batches:"
                    + " it seems to block");
        }
        if (failure.get() != null) {
            fail("a migration worker failed while recording its batch: " + failure.get(), failure.get());
        }

        long expectedRecords = earlier.records + big.records + small1.records + small2.records;
        long expectedBytes = earlier.bytes + big.bytes + small1.bytes + small2.bytes;
        long records = stats.migratedRecords();
        long bytes = stats.migratedBytes();
        if (records < expectedRecords) {
            throw Pitfalls.race(String.format(
                    "the stats show %,d migrated records, but %,d were copied: %s. worker-1 read the"
                            + " record total (%,d) and was still summing its own batch of %,d when worker-2"
                            + " added its batch of %,d; worker-1 then wrote back its old total plus its own"
                            + " batch, wiping out worker-2's update. \"records += n\" (like records++) is"
                            + " read, add, write: three steps another thread can get between. Make each"
                            + " update one indivisible step.",
                    records, expectedRecords, lostWhat(expectedRecords - records, "record", small1.records,
                            small2.records),
                    earlier.records, big.records, small1.records));
        }
        if (bytes < expectedBytes) {
            throw Pitfalls.race(String.format(
                    "the record total is right, but the stats show %,d migrated bytes instead of %,d: %s."
                            + " worker-1 read the byte total and was still summing its batch when worker-2"
                            + " added its own; worker-1's write then wiped out worker-2's bytes."
                            + " \"bytes += n\" is a read-add-write too: every total that many threads update"
                            + " needs the same protection.",
                    bytes, expectedBytes, lostWhat(expectedBytes - bytes, "byte", small1.bytes, small2.bytes)));
        }
        assertEquals(expectedRecords, records, "records counted for four batches of 1000, 500, 40 and 60");
        assertEquals(expectedBytes, bytes, "bytes counted for four batches");
    }

    // ------------------------------------------------------------------------------------
    // 2. Many workers at once, lined up on a barrier.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(2)
    @DisplayName("sixteen workers recording batches at the same time lose no record and no byte")
    void countsEveryBatchWhenManyWorkersRunTogether() throws Exception {
        long expectedRecords = (long) WORKERS * BATCHES_PER_WORKER;
        long expectedBytes = WORKERS * bytesOfOneWorker();
        for (int round = 1; round <= ROUNDS; round++) {
            MigrationStats stats = new MigrationStats();
            runWorkersTogether(stats);

            long records = stats.migratedRecords();
            if (records != expectedRecords) {
                throw Pitfalls.race(String.format(
                        "%d workers copied %,d one-record batches together, but the stats counted %,d"
                                + " records: %,d updates were lost (round %d). Two workers read the same old"
                                + " total, both add their batch, and the second write wipes out the first."
                                + " Nothing fails and nothing is logged; the final report simply under-counts"
                                + " the migration. Make each update one indivisible step.",
                        WORKERS, expectedRecords, records, expectedRecords - records, round));
            }
            long bytes = stats.migratedBytes();
            if (bytes != expectedBytes) {
                throw Pitfalls.race(String.format(
                        "the record count is right, but the byte total is %,d instead of %,d: %,d bytes"
                                + " were lost (round %d). bytes += n is a read-add-write too: two workers"
                                + " adding at the same moment overwrite each other's sum.",
                        bytes, expectedBytes, expectedBytes - bytes, round));
            }
        }
    }

    // ------------------------------------------------------------------------------------
    // 3. The plain arithmetic, and a dashboard reading while a worker counts.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(3)
    @DisplayName("one worker's batches add up, and the dashboard can read the totals meanwhile")
    void countsOneWorkerWhileTheDashboardReads() throws Exception {
        MigrationStats stats = new MigrationStats();
        assertEquals(0, stats.migratedRecords(), "a new MigrationStats must start at zero records");
        assertEquals(0, stats.migratedBytes(), "a new MigrationStats must start at zero bytes");
        stats.recordBatch(new Batch(3, 1_200));
        stats.recordBatch(new Batch(0, 0));
        assertEquals(3, stats.migratedRecords(), "one batch of 3 records and an empty batch");
        assertEquals(1_200, stats.migratedBytes(), "one batch of 1200 bytes and an empty batch");

        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().name("migration-worker").start(() -> {
            try {
                start.await();
                for (int i = 0; i < BATCHES_PER_WORKER; i++) {
                    stats.recordBatch(new Batch(1, sizeOf(i)));
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        start.await();
        long previous = 0;
        while (worker.isAlive()) {
            long now = stats.migratedRecords();
            if (now < previous) {
                fail("the dashboard saw the record total go backwards, from " + previous + " to " + now
                        + ", while one worker was counting");
            }
            previous = now;
            stats.migratedBytes();
        }
        worker.join();
        if (failure.get() != null) {
            fail("the migration worker failed while recording: " + failure.get(), failure.get());
        }
        assertEquals(3 + BATCHES_PER_WORKER, stats.migratedRecords(), "records after one worker's batches");
        assertEquals(1_200 + bytesOfOneWorker(), stats.migratedBytes(), "bytes after one worker's batches");
    }

    // ------------------------------------------------------------------------------------

    /** A copied batch as a worker reports it. */
    private static class Batch implements CopiedBatch {
        final int records;
        final long bytes;

        Batch(int records, long bytes) {
            this.records = records;
            this.bytes = bytes;
        }

        @Override
        public int recordCount() {
            return records;
        }

        @Override
        public long byteCount() {
            return bytes;
        }
    }

    /**
     * Holds worker-1 until worker-2's batch is recorded, or until worker-2 is seen waiting
     * inside recordBatch (then it waits for worker-1: a lock), or 1 s at most.
     */
    private static void waitForOrBlocked(CountDownLatch done, Thread other, int[] insideCall) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        int waitingSamples = 0;
        try {
            while (System.nanoTime() < deadline) {
                if (done.await(1, TimeUnit.MILLISECONDS)) {
                    return;
                }
                boolean inside;
                synchronized (insideCall) {
                    inside = insideCall[0] > 0;
                }
                Thread.State s = other.getState();
                boolean waiting = s == Thread.State.BLOCKED || s == Thread.State.WAITING
                        || s == Thread.State.TIMED_WAITING;
                waitingSamples = inside && waiting ? waitingSamples + 1 : 0;
                if (waitingSamples >= 3) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String lostWhat(long lost, String unit, long first, long second) {
        String amount = String.format("%,d %s%s", lost, unit, lost == 1 ? "" : "s");
        if (lost == first) {
            return amount + " vanished, exactly worker-2's first batch";
        }
        if (lost == second) {
            return amount + " vanished, exactly worker-2's second batch";
        }
        if (lost == first + second) {
            return amount + " vanished, exactly worker-2's two batches";
        }
        return amount + " vanished";
    }

    /** Runs one stress round: every worker starts at the same instant (a barrier). */
    private static void runWorkersTogether(MigrationStats stats) throws Exception {
        CyclicBarrier start = new CyclicBarrier(WORKERS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            workers.add(Thread.ofPlatform().name("migration-worker-" + (w + 1)).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < BATCHES_PER_WORKER; i++) {
                        stats.recordBatch(new Batch(1, sizeOf(i)));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : workers) {
            t.join(5000);
            if (t.isAlive()) {
                fail(t.getName() + " did not finish recording its " + BATCHES_PER_WORKER
                        + " batches within 5 s: recordBatch seems to block");
            }
        }
        if (failure.get() != null) {
            fail("a migration worker failed while recording: " + failure.get(), failure.get());
        }
    }

    /** Bytes of a worker's i-th one-record batch: between 512 and 639. */
    private static long sizeOf(int i) {
        return 512 + (i & 127);
    }

    private static long bytesOfOneWorker() {
        long sum = 0;
        for (int i = 0; i < BATCHES_PER_WORKER; i++) {
            sum += sizeOf(i);
        }
        return sum;
    }
}
