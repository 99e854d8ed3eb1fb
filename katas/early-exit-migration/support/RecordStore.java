package earlyexitmigration;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/** Where legacy patient records come from and where migrated records go. */
public interface RecordStore {

    /** Reads one patient's record as the legacy system exported it (one line). */
    String readLegacy(String patientId) throws IOException;

    /** Writes one migrated record to the new records service. */
    void writeMigrated(String patientId, String record) throws IOException;

    /**
     * The stand-in used for rehearsals: reads {@code root/legacy/<id>.csv} and writes
     * {@code root/migrated/<id>.json}. Each write waits as long as a round trip to the new
     * records service takes, so that a rehearsal takes as long as the real run.
     */
    static RecordStore directory(Path root) throws IOException {
        return new Directory(root);
    }

    final class Directory implements RecordStore {
        /** A write to the new records service takes about this long. */
        static final Duration ROUND_TRIP = Duration.ofMillis(100);

        private final Path legacy;
        private final Path migrated;

        Directory(Path root) throws IOException {
            this.legacy = root.resolve("legacy");
            this.migrated = Files.createDirectories(root.resolve("migrated"));
        }

        @Override
        public String readLegacy(String patientId) throws IOException {
            try {
                return Files.readString(legacy.resolve(patientId + ".csv"), StandardCharsets.UTF_8).strip();
            } catch (NoSuchFileException e) {
                throw new IOException("no legacy record for " + patientId, e);
            }
        }

        @Override
        public void writeMigrated(String patientId, String record) throws IOException {
            try {
                Thread.sleep(ROUND_TRIP);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing " + patientId);
            }
            Files.writeString(migrated.resolve(patientId + ".json"), record, StandardCharsets.UTF_8);
        }
    }
}
