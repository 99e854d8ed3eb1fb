package lostupdatecounter;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Progress counters for the patient-record migration. Many workers copy records to the new
 * database in batches, and each worker calls {@link #recordBatch} after every batch it has
 * copied. The operator's dashboard polls the totals while the migration runs; the final
 * report prints them at the end.
 */
public final class MigrationStats {

    /** A batch of records that a worker has copied. */
    public interface CopiedBatch {
        /** How many records the batch held. */
        int recordCount();

        /** How many bytes of record data the batch held (summed over its rows). */
        long byteCount();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private long records;
    private long bytes;

    /** Adds a copied batch to the totals. Many workers call this at the same time. */
    public void recordBatch(CopiedBatch batch) {
        lock.lock();
        records += batch.recordCount();
        bytes += batch.byteCount();
        lock.unlock();
    }

    /** How many records have been migrated so far. */
    public long migratedRecords() {
        lock.lock();
        try {
            return records;
        } finally {
            lock.unlock();
        }
    }

    /** How many bytes of record data have been migrated so far. */
    public long migratedBytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }
}
