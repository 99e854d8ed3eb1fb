package lostupdatecounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import dev.kata.probe.api.RaceDetector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

    /** Stress rounds: worker counts up to far more than the cores, so that they interleave even on a busy machine. */
    private static final int BATCHES_PER_WORKER = 5_000;
    private static final int[] WORKER_CHOICES = {2, 4, 16, 32};
    private static final String[] SHAPES = {"one-record", "mixed-size (0 to 999 records)",
        "huge (2,147,483,646 or 647 records, about 1 TB)"};
    private static final int MIN_ROUNDS = 3;
    private static final long MIN_BATCHES = 2_000_000;
    private static final long ROUND_MILLIS = 60;
    private static final long STRESS_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

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
                    "the stats show %,d migrated records, but %,d were copied: %s. worker-2 recorded its"
                            + " batches while worker-1 was inside recordBatch, sizing its own batch of %,d;"
                            + " afterwards worker-2's records were missing, so a total computed before"
                            + " worker-2's add was written back over it. \"records += n\" (like records++)"
                            + " is read, add, write: three steps another thread can get between. Make each"
                            + " update one indivisible step.",
                    records, expectedRecords, lostWhat(expectedRecords - records, "record", small1.records,
                            small2.records), big.records));
        }
        if (bytes < expectedBytes) {
            throw Pitfalls.race(String.format(
                    "the stats show %,d migrated bytes instead of %,d: %s. worker-2 recorded its batches"
                            + " while worker-1 was inside recordBatch sizing its own, and worker-2's bytes"
                            + " were then missing: a byte total computed before worker-2's add was written"
                            + " back over it. \"bytes += n\" is a read-add-write too: every total that many"
                            + " threads update needs the same protection.",
                    bytes, expectedBytes, lostWhat(expectedBytes - bytes, "byte", small1.bytes, small2.bytes)));
        }
        assertEquals(expectedRecords, records,
                "records counted for four batches of 1000, 500, 40 and 60 (more than were copied)");
        assertEquals(expectedBytes, bytes, "bytes counted for four batches (more than were copied)");
    }

    // ------------------------------------------------------------------------------------
    // 2. Many workers at once, lined up on a barrier.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(2)
    @DisplayName("many workers recording batches at the same time lose no record and no byte")
    void countsEveryBatchWhenManyWorkersRunTogether() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long budgetEnd = System.nanoTime() + STRESS_BUDGET_NANOS;
        int round = 0;
        // Rounds go on for a fixed time, not a fixed count: a lost update needs a worker to be
        // interrupted between its read and its write, and on a busy machine or a single core
        // that happens only when the scheduler preempts it, a few times per round.
        long recorded = 0;
        // at least MIN_BATCHES recorded (a busy machine gives the workers little CPU), within a cap
        while (round < MIN_ROUNDS || System.nanoTime() < budgetEnd
                || recorded < MIN_BATCHES && System.nanoTime() < budgetEnd + STRESS_BUDGET_NANOS) {
            round++;
            int workers = WORKER_CHOICES[random.nextInt(WORKER_CHOICES.length)];
            int shape = random.nextInt(SHAPES.length);
            String scenario = String.format("seed %d, round %d: %d workers, %s batches, %d ms", seed, round,
                    workers, SHAPES[shape], ROUND_MILLIS);
            MigrationStats stats = new MigrationStats();
            long[] copied = runWorkersTogether(stats, workers, shape, random.nextLong(), scenario);

            long records = stats.migratedRecords();
            long bytes = stats.migratedBytes();
            checkTotal("records", records, copied[0], copied[2], workers, scenario);
            checkTotal("bytes", bytes, copied[1], copied[2], workers, scenario);
            recorded += copied[2];
        }
    }

    private static void checkTotal(String unit, long counted, long copied, long batches, int workers,
            String scenario) {
        if (counted == copied) {
            return;
        }
        if ((copied - counted) % (1L << 32) == 0) {
            fail(String.format("the workers recorded %,d batches holding %,d %s, but the stats show %,d (%s):"
                    + " %,d times 2^32 off, as a total kept in an int (32 bits) is when it wraps around",
                    batches, copied, unit, counted, scenario, (copied - counted) >> 32));
        }
        if (counted < copied && counted >= 0) {
            throw Pitfalls.race(String.format(
                    "%d workers recorded %,d batches holding %,d %s together, but the stats show %,d: %,d"
                            + " were lost (%s). When two workers read the same old total and both write"
                            + " back their own sum, the second write wipes out the first. Nothing fails"
                            + " and nothing is logged; the report simply under-counts the migration."
                            + " Make each update one indivisible step.",
                    workers, batches, copied, unit, counted, copied - counted, scenario));
        }
        fail(String.format("the workers recorded %,d batches holding %,d %s, but the stats show %,d (%s)%s",
                batches, copied, unit, counted, scenario,
                counted < 0 ? ": the total went negative" : ": more than was copied"));
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

        MigrationStats big = new MigrationStats();
        big.recordBatch(new Batch(Integer.MAX_VALUE, 3L << 40));
        big.recordBatch(new Batch(Integer.MAX_VALUE, 3L << 40));
        assertEquals(2L * Integer.MAX_VALUE, big.migratedRecords(),
                "two batches of 2,147,483,647 records each: the total needs more than an int");
        assertEquals(6L << 40, big.migratedBytes(), "two batches of 3 TB each");

        // A worker being shut down (its interrupt flag set) records the batch it has copied: counted, and the
        // flag left for the worker's own loop to see.
        MigrationStats lastBatch = new MigrationStats();
        AtomicReference<Throwable> interruptedFailure = new AtomicReference<>();
        boolean[] stillInterrupted = {false};
        Thread stopping = Thread.ofPlatform().name("migration-worker-shutting-down").start(() -> {
            Thread.currentThread().interrupt();
            try {
                lastBatch.recordBatch(new Batch(7, 700));
            } catch (Throwable e) {
                interruptedFailure.set(e);
            }
            stillInterrupted[0] = Thread.currentThread().isInterrupted();
        });
        stopping.join();
        if (interruptedFailure.get() != null || lastBatch.migratedRecords() != 7 || lastBatch.migratedBytes() != 700) {
            throw Pitfalls.lostWork("A worker that was being shut down (its interrupt flag set) recorded the batch it"
                    + " had copied, 7 records and 700 bytes: recordBatch " + (interruptedFailure.get() == null
                            ? "returned" : "threw " + interruptedFailure.get()) + ", and the totals read "
                    + lastBatch.migratedRecords() + " records and " + lastBatch.migratedBytes() + " bytes. The batch"
                    + " was copied: count it, whatever the worker's interrupt status (a lock taken"
                    + " interruptibly gives up at once for a thread already interrupted).");
        }
        if (!stillInterrupted[0]) {
            fail("A worker that was being shut down (its interrupt flag set) recorded a batch, and afterwards its"
                    + " interrupt flag was cleared: recordBatch swallowed the interrupt that the worker's own loop"
                    + " needs to see to stop.");
        }

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
        AtomicReference<String> backwards = new AtomicReference<>();
        AtomicReference<Throwable> dashboardFailure = new AtomicReference<>();
        Thread dashboard = Thread.ofPlatform().name("dashboard").start(() -> {
            // Only the stats may order the dashboard's reads after the worker's writes: the race
            // detector then sees every read that nothing in them orders, however late it comes.
            RaceDetector.isolateCurrentThread();
            try {
                start.await();
                long previous = 0;
                while (worker.isAlive()) {
                    long now = stats.migratedRecords();
                    if (now < previous) {
                        backwards.set("from " + previous + " to " + now);
                        return;
                    }
                    previous = now;
                    stats.migratedBytes();
                }
                stats.migratedRecords(); // a last look, once the worker is done (on a busy machine, maybe the only one)
                stats.migratedBytes();
            } catch (Throwable e) {
                dashboardFailure.set(e);
            }
        });
        worker.join();
        dashboard.join();
        if (failure.get() != null) {
            fail("the migration worker failed while recording: " + failure.get(), failure.get());
        }
        if (dashboardFailure.get() != null) {
            fail("the dashboard failed while reading the totals: " + dashboardFailure.get(), dashboardFailure.get());
        }
        if (backwards.get() != null) {
            fail("the dashboard saw the record total go backwards, " + backwards.get() + ", while one worker was counting");
        }
        assertEquals(3 + BATCHES_PER_WORKER, stats.migratedRecords(), "records after one worker's batches");
        assertEquals(1_200 + bytesOfOneWorker(), stats.migratedBytes(), "bytes after one worker's batches");
    }

    // ------------------------------------------------------------------------------------
    // 4. A batch that throws while it is sized: its worker sees the failure, nothing of the
    //    batch is counted, and every worker can still record (on another thread: a lock left
    //    held by the failed call would let its own thread in again).
    // ------------------------------------------------------------------------------------

    @Test
    @Order(4)
    @DisplayName("a batch that fails while it is sized reaches its worker and leaves the stats working")
    void aBatchThatFailsToSizeLeavesTheStatsWorking() throws Exception {
        Throwable[] failures = {new IllegalStateException("row 17 is unreadable"),
            new UncheckedIOException(new IOException("connection reset")), new AssertionError("corrupt page")};
        for (Throwable thrown : failures) {
            for (boolean recordsCounted : new boolean[] {false, true}) {
                MigrationStats stats = new MigrationStats();
                stats.recordBatch(new Batch(10, 1_000));
                // what the dashboard read while the batch was half sized: records, bytes
                AtomicReference<long[]> readMidway = new AtomicReference<>();
                Thread[] dashboard = new Thread[1];
                // either both counts throw, or the records are counted and then sizing the bytes throws
                Batch broken = new Batch(7, 700) {
                    @Override
                    public int recordCount() {
                        if (recordsCounted) {
                            return 7;
                        }
                        throw sneaky(thrown);
                    }

                    @Override
                    public long byteCount() {
                        if (recordsCounted) {
                            // the dashboard polls while this batch is half sized (it may have to wait for a lock)
                            CountDownLatch read = new CountDownLatch(1);
                            dashboard[0] = Thread.ofPlatform().name("dashboard").daemon().start(() -> {
                                readMidway.set(new long[] {stats.migratedRecords(), stats.migratedBytes()});
                                read.countDown();
                            });
                            waitForOrBlocked(read, dashboard[0], new int[] {1});
                        }
                        throw sneaky(thrown);
                    }
                };
                String how = recordsCounted ? "whose byteCount() threw " + thrown + " after its recordCount() answered 7"
                        : "whose counts threw " + thrown;
                AtomicReference<Throwable> seen = new AtomicReference<>();
                Thread failing = Thread.ofPlatform().name("migration-worker-1").start(() -> {
                    try {
                        stats.recordBatch(broken);
                    } catch (Throwable e) {
                        seen.set(e);
                    }
                });
                failing.join(1000);
                if (failing.isAlive()) {
                    fail("recordBatch did not return within 1 s for a batch " + how);
                }
                if (seen.get() != thrown) {
                    fail("for a batch " + how + ", recordBatch "
                            + (seen.get() == null ? "returned normally: the worker never learns that its batch was not counted"
                                    : "threw " + seen.get() + " instead of letting that failure through"));
                }
                if (dashboard[0] != null) {
                    dashboard[0].join(1000);
                    long[] midway = readMidway.get();
                    long recordsAfter = stats.migratedRecords();
                    long bytesAfter = stats.migratedBytes();
                    if (midway != null && (midway[0] > recordsAfter || midway[1] > bytesAfter)) {
                        throw Pitfalls.race(String.format("the dashboard read %,d records and %,d bytes while worker-1's"
                                + " batch was being sized (its recordCount() had answered 7, its byteCount() had not yet"
                                + " thrown), and %,d records and %,d bytes after byteCount() threw %s: the totals went"
                                + " backwards. A batch that fails to be sized counts nothing, and the dashboard never sees"
                                + " a total fall: add a batch to the totals only once both of its counts are known.",
                                midway[0], midway[1], recordsAfter, bytesAfter, thrown));
                    }
                }
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread next = Thread.ofPlatform().name("migration-worker-2").daemon().start(() -> {
                    try {
                        stats.recordBatch(new Batch(5, 500));
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                next.join(1000);
                if (next.isAlive()) {
                    fail("after worker-1's batch threw " + thrown + " inside recordBatch, worker-2's recordBatch"
                            + " was still waiting 1 s later: something the failed call took (a lock?) was never released");
                }
                if (failure.get() != null) {
                    fail("after worker-1's batch threw " + thrown + ", worker-2's recordBatch failed: " + failure.get(),
                            failure.get());
                }
                stats.recordBatch(new Batch(1, 100));
                assertEquals(16, stats.migratedRecords(), "records after batches of 10, 5 and 1, and one " + how
                        + " (a batch that fails to be sized counts nothing)");
                assertEquals(1_600, stats.migratedBytes(), "bytes after batches of 1000, 500 and 100, and one " + how
                        + " (a batch that fails to be sized counts nothing)");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
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
     * Holds the calling worker until {@code done}, or until {@code other} is seen waiting while
     * {@code insideCall} says it is inside a call of the stats (then it waits for this worker: a
     * lock), or 1 s at most. Used for worker-2's batch and for the dashboard's read.
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

    /**
     * Runs one stress round: every worker starts at the same instant (a barrier) and records
     * batches until the round's time is up. Returns the records, bytes and batches the workers
     * handed to recordBatch, as they counted them themselves.
     */
    private static long[] runWorkersTogether(MigrationStats stats, int workers, int shape, long seed,
            String scenario) throws Exception {
        // one deadline for the whole round, set when the last worker arrives at the barrier
        long[] end = new long[1];
        CyclicBarrier start = new CyclicBarrier(workers,
                () -> end[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROUND_MILLIS));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long[][] copied = new long[workers][3];
        for (int w = 0; w < workers; w++) {
            long[] mine = copied[w];
            // a few batch objects per worker, made before the round: the loop does little but record
            Batch[] batches = new Batch[16];
            Random random = new Random(seed + w);
            for (int i = 0; i < batches.length; i++) {
                batches[i] = switch (shape) {
                    case 0 -> new Batch(1, 512 + random.nextInt(128));
                    case 1 -> new Batch(random.nextInt(1_000), random.nextInt(1 << 20));
                    default -> new Batch(Integer.MAX_VALUE - random.nextInt(2), (1L << 40) + random.nextInt(1 << 20));
                };
            }
            threads.add(Thread.ofPlatform().name("migration-worker-" + (w + 1)).start(() -> {
                try {
                    start.await();
                    long roundEnd = end[0];
                    // the loop does nothing but record, so that a preemption is likely to land
                    // inside recordBatch; what was handed over is summed afterwards
                    long i = 0;
                    do {
                        for (int k = 0; k < 64; k++, i++) {
                            stats.recordBatch(batches[(int) i & 15]);
                        }
                    } while (System.nanoTime() < roundEnd);
                    for (long j = 0; j < i; j++) {
                        Batch b = batches[(int) j & 15];
                        mine[0] += b.records;
                        mine[1] += b.bytes;
                    }
                    mine[2] = i;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(5000);
            if (t.isAlive()) {
                fail(t.getName() + " was still inside recordBatch 5 s after its " + ROUND_MILLIS
                        + " ms round began (" + scenario + "): recordBatch seems to block");
            }
        }
        if (failure.get() != null) {
            fail("a migration worker failed while recording (" + scenario + "): " + failure.get(), failure.get());
        }
        long[] total = new long[3];
        for (long[] mine : copied) {
            for (int k = 0; k < 3; k++) {
                total[k] += mine[k];
            }
        }
        return total;
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
