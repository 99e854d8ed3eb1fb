package lostupdatecounter;

import java.util.concurrent.atomic.AtomicLong;

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

    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /** Adds a copied batch to the totals. Many workers call this at the same time. */
    public void recordBatch(CopiedBatch batch) {
        records.addAndGet(batch.recordCount());
        bytes.addAndGet(batch.byteCount());
    }

    /** How many records have been migrated so far. */
    public long migratedRecords() {
        return records.get();
    }

    /** How many bytes of record data have been migrated so far. */
    public long migratedBytes() {
        return bytes.get();
    }
}
