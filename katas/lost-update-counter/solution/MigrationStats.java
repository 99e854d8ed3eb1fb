package lostupdatecounter;

import java.util.concurrent.atomic.LongAdder;

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

    // Each add is one indivisible step: no worker can hold an old total while another adds
    // to it, so no update can overwrite another. LongAdder spreads the adds of many threads
    // over several cells and sums them when read, which is cheaper than AtomicLong when many
    // workers count at the same time.
    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    /** Adds a copied batch to the totals. Many workers call this at the same time. */
    public void recordBatch(CopiedBatch batch) {
        // Both counts first: if sizing the batch throws, nothing of it has been counted.
        int batchRecords = batch.recordCount();
        long batchBytes = batch.byteCount();
        records.add(batchRecords);
        bytes.add(batchBytes);
    }

    /** How many records have been migrated so far. */
    public long migratedRecords() {
        return records.sum();
    }

    /** How many bytes of record data have been migrated so far. */
    public long migratedBytes() {
        return bytes.sum();
    }
}
