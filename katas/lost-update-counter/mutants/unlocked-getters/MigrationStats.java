package lostupdatecounter;

public final class MigrationStats {

    public interface CopiedBatch {
        int recordCount();

        long byteCount();
    }

    private long records;
    private long bytes;

    public void recordBatch(CopiedBatch batch) {
        int batchRecords = batch.recordCount();
        long batchBytes = batch.byteCount();
        synchronized (this) {
            records += batchRecords;
            bytes += batchBytes;
        }
    }

    public long migratedRecords() {
        return records;
    }

    public long migratedBytes() {
        return bytes;
    }
}
