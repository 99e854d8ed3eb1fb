package earlyexitmigration;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.MainRunner;
import dev.kata.probe.api.Pitfalls;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatientMigrationTest {

    // ---------------------------------------------------------------------------------------
    // 1. The pitfall itself: migrateAll returns while records are still being written.
    // ---------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void everyRecordIsMigratedBeforeMigrateAllReturns() throws Exception {
        List<String> ids = ids(40);

        // First against a service that answers at once: how long does migrateAll take by itself?
        warmUpTheJdk();
        ServiceDouble fast = new ServiceDouble(ids);
        long start = System.nanoTime();
        MigrationReport fastReport = PatientMigration.migrateAll(ids, fast);
        long fastMillis = millisSince(start);
        requireNothingInFlight(fast, ids, fastMillis, "answered every write at once");
        requireReportComplete(fastReport, ids, Set.of());

        // Then against a service that holds every write 200 ms longer than that whole run took:
        // a migrateAll that pauses for a fixed time instead of waiting (the pause is part of the
        // first run too) returns while the writes are still held. The cap only keeps a slow
        // machine from timing out; a pause as long as the cap makes the two runs together overrun
        // the test's time limit anyway.
        long holdMillis = Math.min(fastMillis + 200, 1600);
        ServiceDouble slow = new ServiceDouble(ids);
        slow.beforeWrite = id -> slow.awaitGate();
        Thread opener = Thread.ofPlatform().name("hidden-test-service").start(() -> {
            try {
                Thread.sleep(holdMillis);
                slow.openGate();
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        try {
            start = System.nanoTime();
            MigrationReport report = PatientMigration.migrateAll(ids, slow);
            long tookMillis = millisSince(start);
            requireNothingInFlight(slow, ids, tookMillis,
                    "held every write for " + holdMillis + " ms (the first run, with a service that"
                            + " answered at once, took " + fastMillis + " ms)",
                    tookMillis < 100 ? "" : " If those " + tookMillis + " ms were a pause (a sleep, or a"
                            + " wait with a time limit), a pause only guesses how long the work will take,"
                            + " and this time the service was slower than the guess.");
            requireReportComplete(report, ids, Set.of());
        } finally {
            slow.openGate(); // let migrations still in flight finish, so that none is left behind
            opener.interrupt();
            opener.join();
        }
    }

    // ---------------------------------------------------------------------------------------
    // 2. Waiting for one thread is not waiting for all of them.
    // ---------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void waitsForEveryRecordNotOnlyTheLastOneStarted() throws Exception {
        List<String> ids = ids(30);
        String last = ids.getLast();
        ServiceDouble service = new ServiceDouble(ids);
        service.beforeWrite = id -> {
            if (!id.equals(last)) {
                service.awaitGate();
            }
        };
        CountDownLatch returned = new CountDownLatch(1);
        Thread opener = Thread.ofPlatform().name("hidden-test-service").start(() -> {
            try {
                service.awaitWritten(last, 2000);
                // A caller that only waited for the last record returns right now; one that
                // waits for every record is still waiting after this pause.
                if (!returned.await(150, MILLISECONDS)) {
                    service.openGate();
                }
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        try {
            MigrationReport report = PatientMigration.migrateAll(ids, service);
            returned.countDown();
            Set<String> unfinished = service.notWritten(ids);
            if (!unfinished.isEmpty() && service.isWritten(last)) {
                throw Pitfalls.lostWork("In this test the record started last, " + last
                        + ", was written at once, while the new records service held the other "
                        + (ids.size() - 1) + " records a little longer. migrateAll returned as soon"
                        + " as " + last + " was done, with " + unfinished.size() + " records still"
                        + " being written (" + sample(unfinished) + "). Joining one thread, even the"
                        + " one started last, says nothing about the others: threads do not finish in"
                        + " the order they were started. Wait for every one of them.");
            }
            requireNothingInFlight(service, ids, -1, "held all records but " + last + " for a while");
            requireReportComplete(report, ids, Set.of());
        } finally {
            returned.countDown();
            service.openGate();
            opener.interrupt();
            opener.join();
        }
    }

    // ---------------------------------------------------------------------------------------
    // 3. A record that fails is reported, and the others still migrate.
    // ---------------------------------------------------------------------------------------

    @Test
    @Order(3)
    void aFailingRecordIsReportedAndTheOthersStillMigrate() throws Exception {
        List<String> ids = ids(20);
        String malformed = "P-0007";
        String refused = "P-0013";
        ServiceDouble service = new ServiceDouble(ids);
        // The legacy system accepted a 31st of February; converting this record throws.
        service.legacy.put(malformed, malformed + ";Roe;Rick;31.02.1990");
        IOException refusal = new IOException("the new records service refused " + refused
                + ": a record with this medical record number already exists");
        // The other records are still in flight when the two failures happen.
        CountDownLatch failuresHappened = new CountDownLatch(2);
        service.afterRead = id -> {
            if (id.equals(malformed)) {
                failuresHappened.countDown();
            }
        };
        service.beforeWrite = id -> {
            if (id.equals(refused)) {
                failuresHappened.countDown();
                throw refusal;
            }
            if (!failuresHappened.await(2, SECONDS)) {
                throw new IOException("hidden test: " + malformed + " and " + refused
                        + " were never migrated");
            }
        };

        MigrationReport report = PatientMigration.migrateAll(ids, service);

        Set<String> others = new TreeSet<>(ids);
        others.remove(malformed);
        others.remove(refused);
        requireNothingInFlight(service, new ArrayList<>(others), -1,
                "refused " + refused + " while " + malformed + " could not be converted");
        Map<String, Exception> failures = report.failures();
        for (String id : List.of(malformed, refused)) {
            if (!failures.containsKey(id)) {
                throw Pitfalls.lostWork("Migrating " + id + " failed ("
                        + (id.equals(malformed) ? "its legacy birth date is 31.02.1990" : refusal.getMessage())
                        + "), but the report returned by migrateAll does not list it: its failures are "
                        + failures.keySet() + ". A record that fails must be reported, not dropped:"
                        + " otherwise nobody knows it still has to be migrated.");
            }
        }
        if (!causedBy(failures.get(malformed), DateTimeException.class, null)) {
            throw new AssertionError("The report gives " + failures.get(malformed) + " as the failure of "
                    + malformed + "; expected the DateTimeException thrown while converting its birth"
                    + " date 31.02.1990 (directly or as the cause).");
        }
        if (!causedBy(failures.get(refused), IOException.class, refusal)) {
            throw new AssertionError("The report gives " + failures.get(refused) + " as the failure of "
                    + refused + "; expected the IOException the service threw: " + refusal.getMessage());
        }
        requireReportComplete(report, new ArrayList<>(others), Set.of(malformed, refused));
    }

    // ---------------------------------------------------------------------------------------
    // 4. The script, run the way an operator runs it: in a JVM of its own.
    // ---------------------------------------------------------------------------------------

    @Test
    @Order(4)
    @Timeout(value = 10, unit = SECONDS)
    void theScriptWritesEveryRecordBeforeItsJvmExits(@TempDir Path root) throws Exception {
        List<String> ids = ids(30);
        String malformed = "P-0011";
        Path legacy = Files.createDirectories(root.resolve("legacy"));
        for (String id : ids) {
            String line = id.equals(malformed) ? id + ";Poe;Ann;1987-05-04" : legacyLine(id);
            Files.writeString(legacy.resolve(id + ".csv"), line + "\n", StandardCharsets.UTF_8);
        }

        MainRunner.Result run = MainRunner.run(PatientMigration.class, Duration.ofSeconds(5), root.toString());

        String output = "exit code " + run.exitCode() + "; its output:\n" + indent(run.stdout())
                + (run.stderr().isBlank() ? "" : "\nand on stderr:\n" + indent(run.stderr()));
        if (run.timedOut()) {
            throw Pitfalls.timeout("`PatientMigration " + root + "` was still running after 5 s and had to"
                    + " be killed: it waits for something that never happens. Each of its writes takes about"
                    + " 100 ms, and one record, " + malformed + ", fails to convert: does the script stop"
                    + " waiting when a record fails, or only when one succeeds? The run ended with " + output);
        }
        Path migrated = root.resolve("migrated");
        Set<String> missing = new TreeSet<>();
        for (String id : ids) {
            Path file = migrated.resolve(id + ".json");
            if (!id.equals(malformed)
                    && (!Files.exists(file) || !Files.readString(file).contains("\"id\":\"" + id + "\""))) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty() && run.stderr().contains("Exception in thread \"main\"")) {
            throw new AssertionError("`PatientMigration " + root + "` failed with an exception before it"
                    + " had migrated every record (" + missing.size() + " of " + (ids.size() - 1)
                    + " good records are missing). The run ended with " + output);
        }
        if (!missing.isEmpty()) {
            throw Pitfalls.lostWork("The script's main returned before its migration threads were done, and"
                    + " the JVM exited with them: " + missing.size() + " of " + (ids.size() - 1)
                    + " good records never reached " + migrated + " (" + sample(missing) + ")."
                    + " Virtual threads are daemon threads: they do not keep the JVM alive, so once main"
                    + " returns nothing waits for them. The run ended with " + output);
        }
        if (!(run.stdout() + run.stderr()).contains(malformed)) {
            throw Pitfalls.lostWork("Every good record was written, but the record " + malformed
                    + " failed (its legacy birth date is malformed) and the script's output does not"
                    + " mention it: the summary was printed before the migration was over, so the operator"
                    + " never learns which record still has to be fixed. The run ended with " + output);
        }
    }

    // ---------------------------------------------------------------------------------------
    // 5. The records are still migrated in parallel, one virtual thread each.
    // ---------------------------------------------------------------------------------------

    @Test
    @Order(5)
    void recordsAreStillMigratedInParallel() {
        List<String> ids = ids(16);
        CyclicBarrier allArrived = new CyclicBarrier(ids.size());
        AtomicInteger arrived = new AtomicInteger();
        ServiceDouble service = new ServiceDouble(ids);
        service.beforeWrite = id -> {
            arrived.incrementAndGet();
            try {
                allArrived.await(1, SECONDS);
            } catch (TimeoutException | java.util.concurrent.BrokenBarrierException e) {
                throw new IOException("hidden test: not every record was in flight at once", e);
            }
        };

        MigrationReport report = PatientMigration.migrateAll(ids, service);

        boolean notSideBySide = report.failures().values().stream()
                .anyMatch(e -> e.getMessage() != null && e.getMessage().startsWith("hidden test: not every record"));
        if (!notSideBySide) {
            requireNothingInFlight(service, ids, -1, "answered once all " + ids.size() + " writes had arrived");
        }
        if (notSideBySide || !report.failures().isEmpty()) {
            throw new AssertionError("The records were not migrated in parallel. In this test the new"
                    + " records service answers only once all " + ids.size() + " writes have arrived;"
                    + " after 1 s, " + Math.min(arrived.get(), ids.size()) + " had. The script exists to"
                    + " migrate records side by side: keep one virtual thread per record, and only make"
                    + " migrateAll wait for them.");
        }
        requireReportComplete(report, ids, Set.of());
    }

    // ---------------------------------------------------------------------------------------
    // Checks shared by the tests
    // ---------------------------------------------------------------------------------------

    /**
     * Loads and warms the JDK classes a migration is likely to use (virtual threads, executors,
     * latches, java.time), so that the first timed run of migrateAll measures the learner's code
     * rather than class loading.
     */
    private static void warmUpTheJdk() throws Exception {
        CountDownLatch done = new CountDownLatch(16);
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                int n = i;
                executor.submit(() -> {
                    try {
                        java.time.LocalDate.parse(String.format("%02d.01.2000", 1 + n % 28),
                                java.time.format.DateTimeFormatter.ofPattern("dd.MM.uuuu"));
                    } finally {
                        done.countDown();
                    }
                });
            }
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().name("hidden-test-warm-up").start(done::countDown));
        }
        for (Thread t : threads) {
            t.join();
        }
        done.await(2, SECONDS);
    }

    private static void requireNothingInFlight(ServiceDouble service, List<String> ids, long tookMillis,
            String whatTheServiceDid) {
        requireNothingInFlight(service, ids, tookMillis, whatTheServiceDid, "");
    }

    private static void requireNothingInFlight(ServiceDouble service, List<String> ids, long tookMillis,
            String whatTheServiceDid, String extra) {
        Set<String> unfinished = service.notWritten(ids);
        if (unfinished.isEmpty()) {
            return;
        }
        throw Pitfalls.lostWork("migrateAll returned" + (tookMillis >= 0 ? " after " + tookMillis + " ms" : "")
                + ", but " + unfinished.size() + " of " + ids.size() + " records were still being written ("
                + sample(unfinished) + "); in this test the new records service " + whatTheServiceDid
                + (service.sawOnlyNonDaemonWorkers()
                        ? ". Your migration threads are non-daemon threads, so a JVM would wait for them"
                                + " before exiting, but migrateAll itself still returns before they are done:"
                                + " the report it hands back is incomplete, and nobody learns which records"
                                + " failed."
                        : ". Nothing waited for the migration threads: in the script, main returns next and"
                                + " the JVM exits (virtual threads are daemon threads and do not keep it alive),"
                                + " so these records are silently lost.")
                + " migrateAll must return only once every record has been migrated or has failed."
                + extra);
    }

    private static void requireReportComplete(MigrationReport report, List<String> migrated, Set<String> failed) {
        Set<String> expected = new TreeSet<>(migrated);
        Set<String> listed = report.migrated();
        if (!listed.equals(expected)) {
            Set<String> absent = new TreeSet<>(expected);
            absent.removeAll(listed);
            throw Pitfalls.lostWork("Every record was written, but the report returned by migrateAll lists "
                    + listed.size() + " migrated records instead of " + expected.size()
                    + (absent.isEmpty() ? "" : "; it is missing " + sample(absent))
                    + ". The report was handed back before the migration threads had recorded their results.");
        }
        if (!report.failures().keySet().equals(failed)) {
            throw new AssertionError("The report lists failures for " + report.failures().keySet()
                    + " but expected " + (failed.isEmpty() ? "none" : failed) + ": " + report.failures());
        }
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type, Throwable instance) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (instance != null ? t == instance : type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------
    // Test data and the stand-in for the legacy system and the new records service
    // ---------------------------------------------------------------------------------------

    private static List<String> ids(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(String.format("P-%04d", i));
        }
        return List.copyOf(ids);
    }

    private static String legacyLine(String id) {
        int n = Integer.parseInt(id.substring(2));
        return String.format("%s;Family%d;Given%d;%02d.%02d.%d", id, n, n, 1 + n % 28, 1 + n % 12, 1940 + n % 70);
    }

    private static String sample(Set<String> ids) {
        return ids.size() <= 6 ? String.join(", ", ids)
                : ids.stream().limit(5).collect(Collectors.joining(", ")) + " and " + (ids.size() - 5) + " more";
    }

    private static String indent(String text) {
        String t = text.strip();
        return t.isEmpty() ? "    (nothing)" : t.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @FunctionalInterface
    interface Step {
        void run(String patientId) throws IOException, InterruptedException;
    }

    /** The legacy system and the new records service, as the test wants them to behave. */
    static final class ServiceDouble implements RecordStore {
        final Map<String, String> legacy = new ConcurrentHashMap<>();
        private final Map<String, String> written = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> writtenSignals = new ConcurrentHashMap<>();
        private final CountDownLatch gate = new CountDownLatch(1);
        private volatile boolean sawDaemon;
        private volatile boolean sawNonDaemon;
        volatile Step afterRead = id -> { };
        volatile Step beforeWrite = id -> { };

        ServiceDouble(List<String> ids) {
            for (String id : ids) {
                legacy.put(id, legacyLine(id));
            }
        }

        /** True when every migration thread seen so far was a non-daemon thread. */
        boolean sawOnlyNonDaemonWorkers() {
            return sawNonDaemon && !sawDaemon;
        }

        @Override
        public String readLegacy(String patientId) throws IOException {
            if (Thread.currentThread().isDaemon()) {
                sawDaemon = true;
            } else {
                sawNonDaemon = true;
            }
            String line = legacy.get(patientId);
            if (line == null) {
                throw new IOException("no legacy record for " + patientId);
            }
            step(afterRead, patientId);
            return line;
        }

        @Override
        public void writeMigrated(String patientId, String record) throws IOException {
            step(beforeWrite, patientId);
            written.put(patientId, record);
            signal(patientId).countDown();
        }

        private static void step(Step step, String patientId) throws IOException {
            try {
                step.run(patientId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while migrating " + patientId);
            }
        }

        /** Holds a write until the test opens the gate (at most 5 s, so that nothing hangs for good). */
        void awaitGate() throws IOException, InterruptedException {
            if (!gate.await(5, SECONDS)) {
                throw new IOException("hidden test: the service never answered");
            }
        }

        void openGate() {
            gate.countDown();
        }

        void awaitWritten(String patientId, long millis) throws InterruptedException {
            signal(patientId).await(millis, MILLISECONDS);
        }

        boolean isWritten(String patientId) {
            return written.containsKey(patientId);
        }

        private CountDownLatch signal(String patientId) {
            return writtenSignals.computeIfAbsent(patientId, k -> new CountDownLatch(1));
        }

        Set<String> notWritten(List<String> ids) {
            Set<String> missing = new TreeSet<>();
            for (String id : ids) {
                String record = written.get(id);
                if (record == null || !record.contains("\"id\":\"" + id + "\"")) {
                    missing.add(id);
                }
            }
            return missing;
        }
    }
}
