package earlyexitmigration;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.LearnerCode;
import dev.kata.probe.api.MainRunner;
import dev.kata.probe.api.Patience;
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
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatientMigrationTest {
    /** The least time the slow service holds every write (longer than any one-second guess). */
    private static final long HOLD_MS = 1100;

    // ---------------------------------------------------------------------------------------
    // 1. The pitfall itself: migrateAll returns while records are still being written.
    // ---------------------------------------------------------------------------------------

    private static CompletableFuture<Void> heldRun;
    /** The same for a single record, held longer than any time limit the tests leave your code. */
    private static CompletableFuture<Void> heldSingleRun;
    private static final long SINGLE_HOLD_MS = 600;

    /**
     * The held run below waits more than a second for the service: it runs beside the other
     * tests, started before them, and the last test looks at what it found.
     */
    @BeforeAll
    static void startTheHeldRun() throws InterruptedException {
        heldRun = startBesideTheTests("hidden-test-held-run", PatientMigrationTest::runAgainstAHeldService);
        heldSingleRun = startBesideTheTests("hidden-test-held-single-run", PatientMigrationTest::runOneHeldRecord);
    }

    /** A held run: counts {@code started} down once every thread it starts is running. */
    private interface HeldRun {
        void run(CountDownLatch started) throws Exception;
    }

    /**
     * Starts {@code run} on a thread of its own and returns what it found, once every thread of it
     * is started: before the first test begins, so that none of them counts as a thread left behind
     * by another test.
     */
    private static CompletableFuture<Void> startBesideTheTests(String name, HeldRun run) throws InterruptedException {
        CompletableFuture<Void> found = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                run.run(started);
                found.complete(null);
            } catch (Throwable t) {
                found.completeExceptionally(t);
            } finally {
                started.countDown();
            }
        });
        started.await(5, SECONDS);
        return found;
    }

    @Test
    @Order(8)
    void everyRecordIsMigratedBeforeMigrateAllReturns() throws Throwable {
        try {
            heldRun.get(2500, MILLISECONDS);
            heldSingleRun.get(500, MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            throw Pitfalls.timeout("migrateAll, run against a service that held every write for "
                    + (heldRun.isDone() ? SINGLE_HOLD_MS : HOLD_MS) + " ms and then answered, had not returned well"
                    + " after the writes were answered: it waits for something that does not happen.");
        }
    }

    /**
     * One record, its write held {@value #SINGLE_HOLD_MS} ms: a wait with a time limit per thread
     * (a join bounded by a generous guess, shortened by the tests to 60 ms at most) returns before
     * the write is answered, however many records the guess was meant to cover.
     */
    private static void runOneHeldRecord(CountDownLatch started) throws Exception {
        List<String> ids = List.of("P-9001");
        ServiceDouble slow = new ServiceDouble(ids);
        slow.arrived = new CountDownLatch(1);
        slow.beforeWrite = id -> {
            slow.arrived.countDown();
            slow.awaitGate();
        };
        Thread opener = Thread.ofPlatform().name("hidden-test-single-service").start(() -> {
            try {
                if (slow.arrived.await(3, SECONDS)) {
                    started.countDown();
                    Thread.sleep(SINGLE_HOLD_MS);
                }
                slow.openGate();
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        try {
            long start = System.nanoTime();
            MigrationReport report = PatientMigration.migrateAll(ids, slow);
            long tookMillis = millisSince(start);
            requireNothingInFlight(slow, ids, tookMillis, "held the write of the only record for " + SINGLE_HOLD_MS
                    + " ms", guessedWait());
            requireReportComplete(report, ids, Set.of());
        } finally {
            slow.openGate();
            opener.interrupt();
            opener.join();
        }
    }

    private static String guessedWait() {
        return Boolean.getBoolean("kata.shortTimeouts")
                ? " If migrateAll sleeps, or waits with a time limit or until a deadline of its own: a pause only"
                + " guesses how long the work will take. The hidden tests shorten every time limit your code hands"
                + " to the JDK a thousandfold and to 60 ms at most (a second becomes a millisecond, ten minutes"
                + " 60 ms) and run the clock it reads a thousand times fast, so that any such guess shows itself"
                + " here; a wait for the work itself is not shortened."
                : "";
    }

    private static void runAgainstAHeldService(CountDownLatch started) throws Exception {
        List<String> ids = ids(40);

        // First against a service that answers at once: how long does migrateAll take by itself?
        warmUpTheJdk();
        ServiceDouble fast = new ServiceDouble(ids);
        long start = System.nanoTime();
        MigrationReport fastReport = PatientMigration.migrateAll(ids, fast);
        long fastMillis = millisSince(start);
        requireNothingInFlight(fast, ids, fastMillis, "answered every write at once");
        requireReportComplete(fastReport, ids, Set.of());

        // Then against a service that holds every write 200 ms longer than that whole run took,
        // and at least HOLD_MS: a migrateAll that pauses for a fixed time, or waits with a time
        // limit, instead of waiting for the work (the pause is part of the first run too)
        // returns while the writes are still held. The cap only keeps a slow
        // machine from timing out; a pause as long as the cap makes the two runs together overrun
        // the test's time limit anyway.
        long holdMillis = Math.min(Math.max(fastMillis + 200, HOLD_MS), 1600);
        ServiceDouble slow = new ServiceDouble(ids);
        slow.arrived = new CountDownLatch(ids.size());
        slow.beforeWrite = id -> {
            slow.arrived.countDown();
            slow.awaitGate();
        };
        Thread opener = Thread.ofPlatform().name("hidden-test-service").start(() -> {
            try {
                slow.arrived.await(3, SECONDS); // the hold counts from the last write's arrival
                Thread.sleep(holdMillis);
                slow.openGate();
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        Thread announcer = Thread.ofPlatform().name("hidden-test-arrivals").start(() -> {
            try {
                slow.arrived.await(3, SECONDS);
            } catch (InterruptedException e) {
                // the test is over
            }
            started.countDown();
        });
        try {
            start = System.nanoTime();
            MigrationReport report = PatientMigration.migrateAll(ids, slow);
            long tookMillis = millisSince(start);
            requireNothingInFlight(slow, ids, tookMillis,
                    "held every write for " + holdMillis + " ms (the first run, with a service that"
                            + " answered at once, took " + fastMillis + " ms)",
                    Boolean.getBoolean("kata.shortTimeouts")
                            ? " If migrateAll sleeps, or waits with a time limit or until a deadline of its own: a"
                            + " pause only guesses how long the work will take. The hidden tests shorten every time"
                            + " limit your code hands to the JDK a thousandfold and to 60 ms at most (a second becomes"
                            + " a millisecond, ten minutes 60 ms) and run the clock it reads a thousand times fast, so"
                            + " that any such guess shows itself here; a wait for the work itself is not shortened."
                            : tookMillis < 100 ? "" : " If those " + tookMillis + " ms were a pause (a sleep, or a"
                            + " wait with a time limit), a pause only guesses how long the work will take,"
                            + " and this time the service was slower than the guess.");
            requireReportComplete(report, ids, Set.of());
        } finally {
            slow.openGate(); // let migrations still in flight finish, so that none is left behind
            opener.interrupt();
            opener.join();
            announcer.join();
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
                        + (ids.size() - 1) + " records a little longer. migrateAll returned after "
                        + last + " was written, with " + unfinished.size() + " records still"
                        + " being written (" + sample(unfinished) + "). If it waited for the thread"
                        + " started last: threads do not finish in the order they were started, so"
                        + " joining one says nothing about the others. Wait for every one of them."
                        + (Boolean.getBoolean("kata.shortTimeouts") ? " If it sleeps, or waits with a time"
                        + " limit or until a deadline of its own: the hidden tests shorten every time limit your code"
                        + " hands to the JDK a thousandfold and to 60 ms at most, and run the clock it reads a"
                        + " thousand times fast, so that a guess at how long the work takes shows itself."
                        : ""));
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
                + ": a record with this medical record number already exists",
                new IllegalStateException("duplicate key MRN-" + refused)); // a failure with a cause of its own
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
        if (!isTheFailure(failures.get(malformed), DateTimeException.class, null)) {
            throw new AssertionError("The report gives " + failures.get(malformed) + " as the failure of "
                    + malformed + "; expected the DateTimeException thrown while converting its birth"
                    + " date 31.02.1990." + unwrapNote(failures.get(malformed)));
        }
        if (!isTheFailure(failures.get(refused), IOException.class, refusal)) {
            throw new AssertionError("The report gives " + failures.get(refused) + " as the failure of "
                    + refused + "; expected the IOException the service threw: " + refusal.getMessage() + "."
                    + unwrapNote(failures.get(refused), refusal));
        }
        requireReportComplete(report, new ArrayList<>(others), Set.of(malformed, refused));
    }

    // ---------------------------------------------------------------------------------------
    // 4. The script, run the way an operator runs it: in a JVM of its own.
    // ---------------------------------------------------------------------------------------

    private static final List<String> SCRIPT_IDS = ids(30);
    /** How long the script may run; its JVM starts slowly on a busy machine. */
    private static final int SCRIPT_LIMIT_S = 9;
    private static final String SCRIPT_MALFORMED = "P-0011";
    @TempDir
    static Path scriptRoot;
    private static CompletableFuture<MainRunner.Result> scriptRun;

    /**
     * The script runs in a JVM of its own, which takes a while to start: it runs beside the other
     * tests, and the test below looks at what it did.
     */
    @BeforeAll
    static void startTheScript() throws IOException {
        Path legacy = Files.createDirectories(scriptRoot.resolve("legacy"));
        for (String id : SCRIPT_IDS) {
            String line = id.equals(SCRIPT_MALFORMED) ? id + ";Poe;Ann;1987-05-04" : legacyLine(id);
            Files.writeString(legacy.resolve(id + ".csv"), line + "\n", StandardCharsets.UTF_8);
        }
        scriptRun = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("hidden-test-script").start(() -> completeWith(scriptRun, () ->
                MainRunner.run(PatientMigration.class, Duration.ofSeconds(SCRIPT_LIMIT_S), scriptRoot.toString())));
    }

    @Test
    @Order(4)
    @Timeout(value = 12, unit = SECONDS)
    void theScriptWritesEveryRecordBeforeItsJvmExits() throws Exception {
        List<String> ids = SCRIPT_IDS;
        String malformed = SCRIPT_MALFORMED;
        Path root = scriptRoot;
        MainRunner.Result run = scriptRun.get(SCRIPT_LIMIT_S + 2, SECONDS);

        String output = "exit code " + run.exitCode() + "; its output:\n" + indent(run.stdout())
                + (run.stderr().isBlank() ? "" : "\nand on stderr:\n" + indent(run.stderr()));
        if (run.timedOut()) {
            long written;
            try (Stream<Path> files = Files.list(root.resolve("migrated"))) {
                written = files.count();
            } catch (IOException e) {
                written = 0;
            }
            if (run.stdout().isBlank() && run.stderr().isBlank()) {
                throw Pitfalls.timeout("`PatientMigration " + root + "` had printed nothing after "
                        + SCRIPT_LIMIT_S + " s and had to be killed: its JVM did not even reach the first line"
                        + " of main. The machine may be too busy; run the check again.");
            }
            throw Pitfalls.timeout("`PatientMigration " + root + "` was still running after " + SCRIPT_LIMIT_S
                    + " s and had to be killed, although each of its writes takes about 100 ms. By then " + written + " of "
                    + (ids.size() - 1) + " good records had been written, and one record, " + malformed
                    + ", fails to convert. Something in the script waited (or looped) for longer than the"
                    + " work takes; the thread dump shows where. The run ended with " + output);
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
        if (notSideBySide) {
            throw new AssertionError("The records were not all migrated side by side. In this test the new"
                    + " records service answers only once all " + ids.size() + " writes are in flight at"
                    + " the same time; they were not within 1 s (" + Math.min(arrived.get(), ids.size())
                    + " writes arrived in all, some of them perhaps one after another). The script exists"
                    + " to migrate records side by side: keep one virtual thread per record, and only make"
                    + " migrateAll wait for them. Failures reported: " + report.failures().keySet());
        }
        if (!report.failures().isEmpty()) {
            throw new AssertionError("All " + ids.size() + " writes were in flight at once and the service"
                    + " accepted them, yet the report lists failures: " + report.failures());
        }
        requireReportComplete(report, ids, Set.of());
    }


    // ---------------------------------------------------------------------------------------
    // 6. Seeded scenarios: sizes from none to thousands, failures of every kind anywhere in the
    //    list, and two migrations running at once.
    // ---------------------------------------------------------------------------------------

    enum Fault { NONE, REFUSED_WRITE, UNCHECKED_READ, MALFORMED }

    @Test
    @Order(6)
    @Timeout(value = 6, unit = SECONDS)
    void everyRecordIsAccountedForOnceInEveryScenario() throws Exception {
        long seed = Long.getLong("kata.seed", System.nanoTime());
        Random random = new Random(seed);
        int[] sizes = {0, 1, 2, 600, 1 + random.nextInt(40), 1 + random.nextInt(40)};
        long began = System.nanoTime();
        for (int round = 0; round < sizes.length; round++) {
            if (round > 0 && System.nanoTime() - began > MILLISECONDS.toNanos(700)) {
                break; // a slow migrateAll: the held run above tells why; keep within the time limit
            }
            boolean together = round >= 4 || random.nextBoolean();
            List<Scenario> calls = new ArrayList<>();
            calls.add(Scenario.draw("A", sizes[round], random));
            if (together) {
                calls.add(Scenario.draw("B", 1 + random.nextInt(30), random));
            }
            String described = "seed " + seed + ", round " + (round + 1) + ": " + calls
                    + (together ? ", the calls running at the same time" : "");
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> callers = new ArrayList<>();
            for (Scenario call : calls) {
                callers.add(Thread.ofPlatform().name("hidden-test-caller-" + call.name).start(() -> {
                    try {
                        go.await();
                        call.report = PatientMigration.migrateAll(call.ids, call.service);
                        call.inFlightAtReturn = call.service.notWritten(call.good());
                    } catch (Throwable t) {
                        call.thrown = t;
                    }
                }));
            }
            go.countDown();
            long patience = Patience.millis(2000, 10_000);
            long deadline = System.nanoTime() + MILLISECONDS.toNanos(patience);
            for (int i = 0; i < calls.size(); i++) {
                Thread caller = callers.get(i);
                caller.join(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
                if (caller.isAlive()) {
                    throw Pitfalls.timeout(described + ". migrateAll for call " + calls.get(i).name
                            + " had not returned after " + patience + " ms, although every write is answered at once; "
                            + calls.get(i).service.written.size() + " of its records had been written.");
                }
            }
            for (Scenario call : calls) {
                call.verify(described);
            }
        }
        interruptedCallerStillWaits(seed, 3 + random.nextInt(20), false);
        interruptedCallerStillWaits(seed, 3 + random.nextInt(20), true);
    }

    // ---------------------------------------------------------------------------------------
    // 9. Two migrations at once: each call waits for its own records, whatever the other does.
    // ---------------------------------------------------------------------------------------

    /**
     * Call A migrates two records whose writes are held; call B, started next, one record answered
     * at once. Then A's first write is answered, its second still held: A must go on waiting for
     * it, and each report holds its own call's records. (A waiting that some other call can take
     * over, such as one queue of threads for all calls, lets A return here.)
     */
    @Test
    @Order(9)
    void twoMigrationsAtOnceEachWaitForTheirOwnRecords() throws Exception {
        List<String> idsA = List.of("P-0001", "P-0002");
        List<String> idsB = List.of("P-0101");
        ServiceDouble serviceA = new ServiceDouble(idsA);
        ServiceDouble serviceB = new ServiceDouble(idsB);
        Map<String, CountDownLatch> answer = Map.of("P-0001", new CountDownLatch(1), "P-0002", new CountDownLatch(1));
        serviceA.arrived = new CountDownLatch(idsA.size());
        serviceA.beforeWrite = id -> {
            serviceA.arrived.countDown();
            if (!answer.get(id).await(5, SECONDS)) {
                throw new IOException("hidden test: the service never answered");
            }
        };
        CompletableFuture<MigrationReport> callA = new CompletableFuture<>();
        CompletableFuture<MigrationReport> callB = new CompletableFuture<>();
        Thread callerA = Thread.ofPlatform().name("hidden-test-caller-A")
                .start(() -> completeWith(callA, () -> PatientMigration.migrateAll(idsA, serviceA)));
        try {
            if (!serviceA.arrived.await(2, SECONDS)) {
                fail("Call A's two writes had not both reached the service 2 s after migrateAll was called.");
            }
            // Call B starts only once call A's caller has settled into its wait, so that whatever A
            // waits on has been chosen before B exists (a shared queue would otherwise be raced).
            awaitSittingStill(callerA, callA, Patience.millis(1_000, 5_000));
            Thread.ofPlatform().name("hidden-test-caller-B")
                    .start(() -> completeWith(callB, () -> PatientMigration.migrateAll(idsB, serviceB)));
            serviceB.awaitWritten("P-0101", 2_000);
            Thread.sleep(20); // call B's own bookkeeping after its write
            answer.get("P-0001").countDown();
            serviceA.awaitWritten("P-0001", 2_000);
            // A returns now (wrongly), or waits again for P-0002: its thread sits still in a wait.
            awaitSittingStill(callerA, callA, 1_000);
            if (callA.isDone() && !serviceA.isWritten("P-0002")) {
                throw Pitfalls.lostWork("Two migrations ran at once: call A with P-0001 and P-0002 (both writes held"
                        + " by the service), then call B with P-0101 (answered at once). Once P-0001's write was"
                        + " answered, call A's migrateAll returned"
                        + (callA.isCompletedExceptionally() ? " (it threw)" : "") + ", while P-0002 was still"
                        + " being written. A call waits for the records it was given, whatever other calls do:"
                        + " anything the calls share (a static queue of threads, a counter in a field) lets one"
                        + " call's waiting end on another's records.");
            }
        } finally {
            answer.values().forEach(CountDownLatch::countDown);
        }
        MigrationReport reportA = callA.get(2, SECONDS);
        MigrationReport reportB = callB.get(2, SECONDS);
        if (!reportA.migrated().equals(Set.copyOf(idsA)) || !reportB.migrated().equals(Set.copyOf(idsB))
                || !reportA.failures().isEmpty() || !reportB.failures().isEmpty()) {
            fail("Two migrations ran at once, every write answered: call A's report lists " + reportA.migrated()
                    + " and failures " + reportA.failures().keySet() + ", call B's " + reportB.migrated()
                    + " and failures " + reportB.failures().keySet() + "; expected " + idsA + " and " + idsB
                    + ", each in the report of its own call.");
        }
    }

    /** Waits until {@code caller} has sat in a wait for 30 ms, {@code call} is done, or the time is up. */
    private static void awaitSittingStill(Thread caller, CompletableFuture<?> call, long millis)
            throws InterruptedException {
        long deadline = System.nanoTime() + MILLISECONDS.toNanos(millis);
        long stillSince = 0;
        while (!call.isDone() && System.nanoTime() < deadline) {
            Thread.State state = caller.getState();
            boolean waiting = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
            if (!waiting) {
                stillSince = 0;
            } else if (stillSince == 0) {
                stillSince = System.nanoTime();
            } else if (System.nanoTime() - stillSince > MILLISECONDS.toNanos(30)) {
                return;
            }
            Thread.sleep(1);
        }
    }

    /** Completes {@code outcome} with what {@code work} returns or throws. */
    private static <T> void completeWith(CompletableFuture<T> outcome, java.util.concurrent.Callable<T> work) {
        try {
            outcome.complete(work.call());
        } catch (Throwable t) {
            outcome.completeExceptionally(t);
        }
    }

    // ---------------------------------------------------------------------------------------
    // 7. As many records as the real migration: tens of thousands, all of them in flight.
    // ---------------------------------------------------------------------------------------

    /**
     * Seventy thousand virtual threads take seconds to run, so this runs only for code that uses a
     * JDK class with a size limit: a Phaser holds at most 65,535 parties, a ForkJoinPool at most
     * 32,767 threads. Waiting for that many in any other way holds as well as for the 600 above.
     */
    @Test
    @Order(7)
    @Timeout(value = 20, unit = SECONDS)
    void tensOfThousandsOfRecordsInFlightAtOnce() throws Exception {
        if (!LearnerCode.mentions(PatientMigration.class, "java.util.concurrent.Phaser",
                "java.util.concurrent.ForkJoinPool", "newWorkStealingPool", "java.util.concurrent.Semaphore",
                "newFixedThreadPool")) {
            return;
        }
        int count = 70_000;
        List<String> ids = ids(count);
        HeldBulkService service = new HeldBulkService(count);
        Thread opener = Thread.ofPlatform().daemon().name("hidden-test-service").start(service::answerWhenAllArrivedOrStill);
        MigrationReport report;
        service.caller = Thread.currentThread();
        try {
            report = PatientMigration.migrateAll(ids, service);
        } catch (RuntimeException | Error e) {
            int arrived = service.arrived.get();
            throw new AssertionError("With " + count + " records, migrateAll threw " + e + " after " + arrived
                    + " writes had reached the new records service (it answered none of them until every"
                    + " record's write had arrived, or until no new write had arrived for "
                    + HeldBulkService.STILL_MS + " ms). The real migration has tens of thousands of records,"
                    + " each on a thread of its own and all of them in flight at once while the service is slow:"
                    + " whatever migrateAll counts them with must hold that many.", e);
        } finally {
            service.open();
        }
        opener.join(2_000);
        int written = service.written.size();
        if (written < count || service.inFlight.get() > 0) {
            throw Pitfalls.lostWork("With " + count + " records, migrateAll returned while " + (count - written)
                    + " were not yet written (" + service.inFlight.get() + " writes still in flight); in this test"
                    + " the new records service answered only once every write had arrived, or once none had"
                    + " arrived for " + HeldBulkService.STILL_MS + " ms. migrateAll must return only once every"
                    + " record has been migrated or has failed.");
        }
        if (service.arrivedWhenOpened < count) {
            throw new AssertionError("With " + count + " records, only " + service.arrivedWhenOpened + " writes were"
                    + " in flight at once: this test's records service answered none until every record's write had"
                    + " arrived, and no new write arrived for " + HeldBulkService.STILL_MS + " ms. The records must"
                    + " all be migrated in parallel, tens of thousands in flight at once: a cap on the writes in flight"
                    + " (a semaphore, a pool of so many threads) holds the rest back while the service is slow.");
        }
        if (report.migrated().size() != count || !report.failures().isEmpty()) {
            throw new AssertionError("With " + count + " records, every write was answered, but the report lists "
                    + report.migrated().size() + " migrated records and " + report.failures().size()
                    + " failures" + (report.failures().isEmpty() ? ""
                            : " (the first: " + report.failures().entrySet().iterator().next() + ")")
                    + " instead of " + count + " migrated records and no failures.");
        }
    }

    /**
     * A service for many records: it holds every write until every record's write has arrived (or
     * until none has arrived for a while, so that a migration that keeps fewer in flight still goes
     * on), then answers them all.
     */
    static final class HeldBulkService implements RecordStore {
        static final long STILL_MS = 1_000;
        /** The thread running migrateAll. */
        volatile Thread caller;
        private final int expected;
        private final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger arrived = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final Set<String> written = ConcurrentHashMap.newKeySet();

        HeldBulkService(int expected) {
            this.expected = expected;
        }

        @Override
        public String readLegacy(String patientId) {
            return legacyLine(patientId);
        }

        @Override
        public void writeMigrated(String patientId, String record) throws IOException {
            inFlight.incrementAndGet();
            arrived.incrementAndGet();
            try {
                if (!gate.await(15, SECONDS)) {
                    throw new IOException("hidden test: the service never answered");
                }
                written.add(patientId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing " + patientId);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        void answerWhenAllArrivedOrStill() {
            int seen = -1;
            long stillSince = System.nanoTime();
            while (gate.getCount() > 0) {
                int now = arrived.get();
                if (now >= expected) {
                    break;
                }
                if (now != seen) {
                    seen = now;
                    stillSince = System.nanoTime();
                } else if (System.nanoTime() - stillSince > MILLISECONDS.toNanos(STILL_MS)
                        && (caller == null || caller.getState() != Thread.State.RUNNABLE)
                        || System.nanoTime() - stillSince > MILLISECONDS.toNanos(5 * STILL_MS)) {
                    // Still, and the caller waits (for the writes held here): it keeps fewer in flight.
                    // A caller that is still starting threads is only slow (a busy machine), not done.
                    break;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    break;
                }
            }
            open();
        }

        /** How many writes had arrived when the service first answered. */
        volatile int arrivedWhenOpened = -1;

        void open() {
            if (arrivedWhenOpened < 0) {
                arrivedWhenOpened = arrived.get();
            }
            gate.countDown();
        }
    }

    /**
     * The thread running migrateAll is interrupted while every write is held; the writes are let
     * go a moment later. migrateAll must still return only once every record has been migrated
     * or has failed (a record its migration stopped counts as failed). Writes that do not answer
     * to an interrupt (a plain socket write) are held longer than any shortened limit, so that a
     * grace period after stopping them runs out while they are still going.
     */
    private static void interruptedCallerStillWaits(long seed, int size, boolean writesIgnoreInterrupts)
            throws Exception {
        List<String> ids = ids(size);
        ServiceDouble service = new ServiceDouble(ids);
        service.arrived = new CountDownLatch(ids.size());
        // The first record's write is answered last, once migrateAll has returned or a while after the
        // others: a wait that an interrupt cuts short while it is on that record moves on without it.
        CountDownLatch firstAnswer = new CountDownLatch(1);
        service.beforeWrite = id -> {
            service.arrived.countDown();
            if (writesIgnoreInterrupts) {
                service.awaitGateIgnoringInterrupts();
            } else {
                service.awaitGate();
            }
            if (id.equals(ids.get(0))) {
                if (writesIgnoreInterrupts) {
                    service.awaitGateIgnoringInterrupts(firstAnswer);
                } else {
                    service.awaitGate(firstAnswer);
                }
            }
        };
        long answeredAfterMs = writesIgnoreInterrupts ? 300 : 50;
        long firstHeldMs = Patience.millis(150, 2000);
        String described = "seed " + seed + ", interrupted caller: " + size + " records, every write held"
                + (writesIgnoreInterrupts ? " by a service that does not answer to interrupts" : "")
                + "; the thread running migrateAll is interrupted once all writes have arrived, and again "
                + answeredAfterMs / 3 + " ms later (a caller that keeps asking it to stop), and the writes are"
                + " answered " + answeredAfterMs + " ms after the first interrupt, that of " + ids.get(0) + " last ("
                + firstHeldMs + " ms later, or once migrateAll has returned)";
        AtomicInteger inFlightAtReturn = new AtomicInteger(-1);
        AtomicReference<MigrationReport> result = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().name("hidden-test-interrupted-caller").start(() -> {
            try {
                result.set(PatientMigration.migrateAll(ids, service));
            } catch (Throwable t) {
                thrown.set(t);
            } finally {
                inFlightAtReturn.set(service.inFlight.get());
            }
        });
        try {
            service.arrived.await(1, SECONDS);
            caller.interrupt();
            Thread.sleep(answeredAfterMs / 3);
            caller.interrupt(); // a wait that survives one interrupt must survive the next one too
            Thread.sleep(answeredAfterMs - answeredAfterMs / 3);
        } finally {
            service.openGate();
            try {
                long held = System.nanoTime() + MILLISECONDS.toNanos(firstHeldMs);
                while (caller.isAlive() && System.nanoTime() < held) {
                    Thread.sleep(1);
                }
            } finally {
                firstAnswer.countDown();
            }
        }
        long patience = Patience.millis(2000, 10_000);
        caller.join(patience);
        if (caller.isAlive()) {
            throw Pitfalls.timeout(described + ". migrateAll had not returned " + patience + " ms after the writes"
                    + " were answered; it is " + caller.getState() + ".");
        }
        if (inFlightAtReturn.get() > 0) {
            throw Pitfalls.lostWork(described + ". migrateAll " + (thrown.get() != null ? "threw " + thrown.get()
                    : "returned") + " while " + inFlightAtReturn.get() + " writes were still in flight. Even"
                    + " when its thread is interrupted, migrateAll must return only once every record has"
                    + " been migrated or has failed.");
        }
        if (thrown.get() != null) {
            throw new AssertionError(described + ". migrateAll threw " + thrown.get(), thrown.get());
        }
        MigrationReport report = result.get();
        Set<String> accounted = new TreeSet<>(report.migrated());
        Set<String> both = new TreeSet<>(report.migrated());
        both.retainAll(report.failures().keySet());
        accounted.addAll(report.failures().keySet());
        if (!accounted.equals(new TreeSet<>(ids)) || !both.isEmpty()) {
            throw Pitfalls.lostWork(described + ". Every record must be in the report once, migrated or"
                    + " failed; the report lists migrated " + report.migrated().size() + " and failed "
                    + report.failures().size() + " of " + ids.size() + " records"
                    + (both.isEmpty() ? "" : ", some as both: " + sample(both)) + ".");
        }
        Set<String> claimed = new TreeSet<>(report.migrated());
        claimed.retainAll(service.notWritten(ids));
        if (!claimed.isEmpty()) {
            throw new AssertionError(described + ". The report lists as migrated records that were never"
                    + " written: " + sample(claimed) + ".");
        }
    }

    static final class Scenario {
        final String name;
        final List<String> ids;
        final Map<String, Fault> faults = new ConcurrentHashMap<>();
        final Map<String, Exception> thrownByService = new ConcurrentHashMap<>();
        final ServiceDouble service;
        volatile MigrationReport report;
        volatile Set<String> inFlightAtReturn;
        volatile Throwable thrown;

        private Scenario(String name, int size, Random random) {
            this.name = name;
            List<String> list = new ArrayList<>();
            for (int i = 1; i <= size; i++) {
                list.add(String.format("%s-%05d", name, i));
            }
            this.ids = List.copyOf(list);
            this.service = new ServiceDouble(List.of());
            for (String id : ids) {
                service.legacy.put(id, id + ";Family;Given;07.03.1984");
            }
            if (size > 0) {
                int failing = Math.min(size, random.nextInt(4));
                for (int f = 0; f < failing; f++) {
                    // the first, the last, or anywhere between
                    int at = switch (f) {
                        case 0 -> 0;
                        case 1 -> size - 1;
                        default -> random.nextInt(size);
                    };
                    Fault fault = Fault.values()[1 + random.nextInt(Fault.values().length - 1)];
                    faults.put(ids.get(at), fault);
                }
            }
            faults.forEach((id, fault) -> {
                if (fault == Fault.MALFORMED) {
                    service.legacy.put(id, id + ";Family;Given;1984-03-07");
                }
            });
            service.afterRead = id -> {
                if (faults.get(id) == Fault.UNCHECKED_READ) {
                    IllegalStateException e = new IllegalStateException("legacy row of " + id + " is locked",
                            new java.util.concurrent.TimeoutException("lock wait timed out"));
                    thrownByService.put(id, e);
                    throw e;
                }
            };
            service.beforeWrite = id -> {
                if (faults.get(id) == Fault.REFUSED_WRITE) {
                    IOException e = new IOException("the new records service refused " + id,
                            new java.net.SocketException("connection reset by the records service"));
                    thrownByService.put(id, e);
                    throw e;
                }
            };
        }

        static Scenario draw(String name, int size, Random random) {
            return new Scenario(name, size, random);
        }

        List<String> good() {
            return ids.stream().filter(id -> !faults.containsKey(id)).toList();
        }

        void verify(String described) {
            if (thrown != null) {
                throw new AssertionError(described + ". migrateAll for call " + name + " threw " + thrown, thrown);
            }
            if (report == null) {
                throw new AssertionError(described + ". migrateAll for call " + name + " returned null.");
            }
            if (!inFlightAtReturn.isEmpty()) {
                throw Pitfalls.lostWork(described + ". migrateAll for call " + name + " returned while "
                        + inFlightAtReturn.size() + " of its " + good().size() + " good records had not been"
                        + " written yet (" + sample(new TreeSet<>(inFlightAtReturn)) + "). It must return only"
                        + " once every record has been migrated or has failed.");
            }
            if (report.requested() != ids.size()) {
                throw new AssertionError(described + ". The report of call " + name + " says "
                        + report.requested() + " records were requested; the call passed " + ids.size() + ".");
            }
            Set<String> migrated = report.migrated();
            Map<String, Exception> failures = report.failures();
            Set<String> expectedGood = new TreeSet<>(good());
            if (!migrated.equals(expectedGood)) {
                Set<String> missing = new TreeSet<>(expectedGood);
                missing.removeAll(migrated);
                Set<String> extra = new TreeSet<>(migrated);
                extra.removeAll(expectedGood);
                throw Pitfalls.lostWork(described + ". Every good record of call " + name + " was written, but"
                        + " its report lists " + migrated.size() + " migrated records instead of "
                        + expectedGood.size() + (missing.isEmpty() ? "" : "; missing: " + sample(missing))
                        + (extra.isEmpty() ? "" : "; listed but not this call's good records: " + sample(extra))
                        + ".");
            }
            if (!failures.keySet().equals(faults.keySet())) {
                throw new AssertionError(described + ". The report of call " + name + " lists failures for "
                        + failures.keySet() + "; the records that failed were " + new TreeSet<>(faults.keySet())
                        + ".");
            }
            for (var entry : faults.entrySet()) {
                String id = entry.getKey();
                Exception reported = failures.get(id);
                boolean right = entry.getValue() == Fault.MALFORMED
                        ? isTheFailure(reported, RuntimeException.class, null)
                        : isTheFailure(reported, Exception.class, thrownByService.get(id));
                if (!right) {
                    throw new AssertionError(described + ". The report of call " + name + " gives " + reported
                            + " as the failure of " + id + "; expected "
                            + (entry.getValue() == Fault.MALFORMED ? "the exception thrown while converting its"
                                    + " malformed birth date" : "the exception the store threw: "
                                    + thrownByService.get(id)) + "." + unwrapNote(reported, thrownByService.get(id)));
                }
            }
        }

        @Override
        public String toString() {
            return "call " + name + " with " + ids.size() + " records"
                    + (faults.isEmpty() ? "" : ", failing " + new TreeMap<>(faults));
        }
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
                        : ". migrateAll did not wait for every migration thread to finish: in the script, main"
                                + " returns next and the JVM exits (virtual threads are daemon threads and do not keep it alive),"
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

    /**
     * Whether the report gives the exception that stopped the record itself (that instance, or one
     * of that type), not another exception wrapping it: "with its exception", as the story says.
     */
    private static boolean isTheFailure(Throwable reported, Class<? extends Throwable> type, Throwable instance) {
        return instance != null ? reported == instance : type.isInstance(reported);
    }

    /** What to say when the report gives the cause of the exception thrown, or a wrapper. */
    private static String unwrapNote(Throwable reported, Throwable thrown) {
        for (Throwable c = thrown == null ? null : thrown.getCause(); c != null && reported != null; c = c.getCause()) {
            if (c == reported) {
                return " That is the cause of the exception thrown, not the exception itself: report what the"
                        + " record's migration threw, as it was thrown.";
            }
        }
        return unwrapNote(reported);
    }

    /** What to say when the report gives a wrapper: where the right exception is. */
    private static String unwrapNote(Throwable reported) {
        return reported != null && reported.getCause() != null
                ? " It gives a " + reported.getClass().getSimpleName() + " that wraps it: report the exception"
                        + " itself (a Future's get() wraps what the task threw in an ExecutionException; its"
                        + " getCause() is the record's exception)."
                : "";
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
        final Map<String, String> written = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> writtenSignals = new ConcurrentHashMap<>();
        private final CountDownLatch gate = new CountDownLatch(1);
        volatile CountDownLatch arrived = new CountDownLatch(0);
        final AtomicInteger inFlight = new AtomicInteger();
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
            inFlight.incrementAndGet();
            try {
                writeNow(patientId, record);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        private void writeNow(String patientId, String record) throws IOException {
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
            awaitGate(gate);
        }

        void awaitGate(CountDownLatch latch) throws IOException, InterruptedException {
            if (!latch.await(5, SECONDS)) {
                throw new IOException("hidden test: the service never answered");
            }
        }

        /** As {@link #awaitGate()}, but an interrupt does not end the wait (it is kept for the caller to see). */
        void awaitGateIgnoringInterrupts() throws IOException {
            awaitGateIgnoringInterrupts(gate);
        }

        void awaitGateIgnoringInterrupts(CountDownLatch latch) throws IOException {
            if (dev.kata.probe.api.Uninterruptible.await(latch, 5_000)) {
                Thread.currentThread().interrupt();
            }
            if (latch.getCount() > 0) {
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
