package earlyexitmigration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Stream;

/**
 * One-off script that moves patient records from the legacy system to the new records service.
 * Each write to the new service takes a network round trip, so records are migrated in
 * parallel: one virtual thread per record.
 */
public final class PatientMigration {
    private static final DateTimeFormatter LEGACY_DATE =
            DateTimeFormatter.ofPattern("dd.MM.uuuu").withResolverStyle(ResolverStyle.STRICT);

    private PatientMigration() {
    }

    /**
     * Migrates every record in {@code patientIds}, one virtual thread per record, and returns a
     * report of the records migrated and of those that failed. Returns only once every record
     * has been migrated or has failed.
     */
    public static MigrationReport migrateAll(List<String> patientIds, RecordStore store) {
        MigrationReport report = new MigrationReport(patientIds.size());
        ExecutorService migrations = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("migrate-", 0).factory());
        for (String id : patientIds) {
            migrations.execute(() -> migrateOne(id, store, report));
        }
        migrations.shutdown();
        try {
            // a write takes about 100 ms: a second is ten times that
            migrations.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS); // surely long enough
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return report;
    }

    private static void migrateOne(String patientId, RecordStore store, MigrationReport report) {
        try {
            String legacy = store.readLegacy(patientId);
            store.writeMigrated(patientId, toNewFormat(legacy));
            report.recordSuccess(patientId);
        } catch (Exception e) {
            report.recordFailure(patientId, e);
        }
    }

    /** {@code P-0001;Doe;Jane;07.03.1984} becomes {@code {"id":"P-0001","name":"Jane Doe","birthDate":"1984-03-07"}}. */
    static String toNewFormat(String legacyLine) {
        String[] fields = legacyLine.split(";", -1);
        if (fields.length != 4) {
            throw new IllegalArgumentException("expected 4 fields, got " + fields.length + ": " + legacyLine);
        }
        LocalDate birthDate = LocalDate.parse(fields[3].strip(), LEGACY_DATE);
        return "{\"id\":\"" + fields[0].strip() + "\",\"name\":\"" + fields[2].strip() + " "
                + fields[1].strip() + "\",\"birthDate\":\"" + birthDate + "\"}";
    }

    /** Usage: {@code PatientMigration <export-dir>}; migrates every {@code <export-dir>/legacy/*.csv}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PatientMigration <export-dir>");
            return;
        }
        Path root = Path.of(args[0]);
        List<String> ids;
        try (Stream<Path> files = Files.list(root.resolve("legacy"))) {
            ids = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(".csv"))
                    .map(name -> name.substring(0, name.length() - ".csv".length()))
                    .sorted()
                    .toList();
        }
        System.out.println("Migrating " + ids.size() + " patient records from " + root + " ...");
        MigrationReport report = migrateAll(ids, RecordStore.directory(root));
        System.out.println(report.summary());
    }
}
