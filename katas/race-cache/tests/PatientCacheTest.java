package racecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import racecache.PatientCache.Patient;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatientCacheTest {

    /** How long a request may wait for an unrelated slow load before we call it blocked. */
    private static final long BLOCKED_AFTER_MS = 1000;

    /*
     * The ids of the "slow load" test. P-1042 is the slow one; the three others have the
     * opposite lowest hash bit after ConcurrentHashMap's hash spreading, so they never share a
     * bin with it, whatever the table size: a computeIfAbsent-based cache (which holds the
     * bin's lock during the load) is not penalised for a hash collision.
     */
    private static final String SLOW = "P-1042";
    private static final String CACHED = "P-2001";
    private static final String ADMITTED = "P-3002";
    private static final String MISSING = "P-1043";

    // ------------------------------------------------------------------------------------
    // 1. load-once: the check-then-act race, made deterministic
    // ------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @DisplayName("eight simultaneous requests for a missing patient load it from the database once")
    void loadsAMissingPatientOnce() throws Exception {
        warmUp();
        final int requests = 8;
        final String id = SLOW;
        AtomicInteger loads = new AtomicInteger();
        Set<Thread> loading = ConcurrentHashMap.newKeySet();
        CountDownLatch release = new CountDownLatch(1);
        // The database answers only when the test says so: until then every request that
        // missed is still inside the loader, and no record has been stored yet.
        Set<String> calledFrom = ConcurrentHashMap.newKeySet();
        PatientCache cache = new PatientCache(pid -> {
            loading.add(Thread.currentThread());
            int n = loads.incrementAndGet();
            String at = cacheFrame(new Throwable().getStackTrace());
            if (at != null) {
                calledFrom.add(at);
            }
            awaitQuietly(release, 3000);
            return new Patient(pid, "record of " + pid + " (load #" + n + ")");
        });

        CyclicBarrier start = new CyclicBarrier(requests);
        AtomicInteger entered = new AtomicInteger();
        Patient[] got = new Patient[requests];
        Throwable[] failed = new Throwable[requests];
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            final int r = i;
            workers.add(Thread.ofPlatform().name("request-" + (r + 1)).start(() -> {
                try {
                    start.await();
                    entered.incrementAndGet();
                    got[r] = cache.get(id);
                } catch (Throwable e) {
                    failed[r] = e;
                }
            }));
        }

        boolean released = false;
        try {
            // Release the database when every request has either gone into the loader itself
            // (check-then-act: all eight missed), or is parked waiting for somebody else's load
            // (a correct cache). Both happen within milliseconds; the cap is only a safety net.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            int quietSamples = 0;
            while (loads.get() < requests && System.nanoTime() < deadline) {
                if (entered.get() == requests && allLoadingOrParked(workers, loading)) {
                    quietSamples++;
                    if (quietSamples >= 3) {
                        break;
                    }
                } else {
                    quietSamples = 0;
                }
                Thread.sleep(2);
            }
            release.countDown();
            released = true;
            joinAll(workers, 2000);
        } finally {
            if (!released) {
                release.countDown();
                joinAll(workers, 2000);
            }
        }

        for (int r = 0; r < requests; r++) {
            if (failed[r] != null) {
                fail("request-" + (r + 1) + " failed while asking for patient " + id + ": " + failed[r], failed[r]);
            }
        }
        for (Thread w : workers) {
            if (w.isAlive()) {
                fail(w.getName() + " still had no answer for patient " + id
                        + " long after the database returned the record: it waits for a load that nobody will finish");
            }
        }
        int n = loads.get();
        if (n > 1) {
            throw Pitfalls.race("The database was asked for patient " + id + " " + n + " times, for " + requests
                    + " requests that arrived together. Each request looked in the map, saw a miss and called the"
                    + " loader itself" + (calledFrom.isEmpty() ? "" : " (from " + String.join(", ", calledFrom) + ")")
                    + ": check-then-act, nothing stops a second request between the check and the put."
                    + " The database takes " + n + "x the load on exactly the hot records, and the requests can"
                    + " end up with different copies. The first request must load it; the others must wait for"
                    + " that load.");
        }
        if (n == 0) {
            fail("patient " + id + " was never loaded, but it was not in the cache");
        }
        for (int r = 0; r < requests; r++) {
            if (got[r] == null) {
                fail("request-" + (r + 1) + " got null for patient " + id + " instead of the loaded record");
            }
            if (got[r] != got[0]) {
                throw Pitfalls.race("request-1 and request-" + (r + 1) + " got different records for patient " + id
                        + " although it was loaded once: the cache handed out a copy that is not the cached one");
            }
        }
    }

    private static boolean allLoadingOrParked(List<Thread> workers, Set<Thread> loading) {
        for (Thread w : workers) {
            if (loading.contains(w)) {
                continue;
            }
            Thread.State s = w.getState();
            if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING && s != Thread.State.BLOCKED
                    && s != Thread.State.TERMINATED) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------
    // 2. no cache-wide lock held during a slow load
    // ------------------------------------------------------------------------------------

    @Test
    @Order(2)
    @DisplayName("a slow load of one patient does not hold up requests for other patients")
    void slowLoadDoesNotBlockOtherPatients() throws Exception {
        warmUp();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch releaseSlow = new CountDownLatch(1);
        AtomicReference<String> slowCalledFrom = new AtomicReference<>();
        PatientCache cache = new PatientCache(pid -> {
            if (pid.equals(SLOW)) {
                slowCalledFrom.set(cacheFrame(new Throwable().getStackTrace()));
                slowStarted.countDown();
                awaitQuietly(releaseSlow, 5000); // the database is stuck on this record
            }
            return new Patient(pid, "record of " + pid);
        });
        Patient cached = new Patient(CACHED, "Grace Hopper");
        cache.put(cached);

        List<Thread> started = new ArrayList<>();
        AtomicReference<Object> slowResult = new AtomicReference<>();
        try {
            started.add(Thread.ofPlatform().name("request-" + SLOW).start(() -> {
                try {
                    slowResult.set(cache.get(SLOW));
                } catch (Throwable e) {
                    slowResult.set(e);
                }
            }));
            if (!slowStarted.await(BLOCKED_AFTER_MS, TimeUnit.MILLISECONDS)) {
                fail("a request for patient " + SLOW + ", which is not cached, never called the loader");
            }
            Supplier<String> slowWhere = () -> slowCalledFrom.get() == null ? ""
                    : " (the loader was called from " + slowCalledFrom.get() + ")";

            Object read = step(started, "request-" + CACHED, () -> cache.get(CACHED),
                    "reading patient " + CACHED + ", which was already cached,", slowWhere);
            assertSame(cached, read, "get(\"" + CACHED + "\") must return the record that was put");

            step(started, "admit-" + ADMITTED, () -> {
                cache.put(new Patient(ADMITTED, "Alan Turing"));
                return null;
            }, "storing patient " + ADMITTED + " with put()", slowWhere);

            Object loaded = step(started, "request-" + MISSING, () -> cache.get(MISSING),
                    "loading another patient, " + MISSING + ",", slowWhere);
            if (!(loaded instanceof Patient p) || !p.id().equals(MISSING)) {
                fail("get(\"" + MISSING + "\") returned " + loaded + " instead of the record loaded for it");
            }

            step(started, "count-patients", cache::size, "size()", slowWhere);
        } finally {
            releaseSlow.countDown();
            joinAll(started, 2000);
        }
        Object slow = slowResult.get();
        if (slow instanceof Throwable e) {
            fail("the request for patient " + SLOW + " failed: " + e, e);
        }
        if (!(slow instanceof Patient p) || !p.id().equals(SLOW)) {
            fail("get(\"" + SLOW + "\") returned " + slow + " instead of the record loaded for it");
        }
    }

    /**
     * Runs one cache call in a thread of its own while the slow load is held open, and fails
     * with reason race if the call is still waiting after {@link #BLOCKED_AFTER_MS}.
     */
    private static Object step(List<Thread> started, String name, Supplier<Object> call, String what,
            Supplier<String> slowWhere) throws InterruptedException {
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name(name).start(() -> {
            try {
                result.set(call.get());
            } catch (Throwable e) {
                error.set(e);
            }
        });
        started.add(t);
        t.join(BLOCKED_AFTER_MS);
        if (t.isAlive()) {
            throw Pitfalls.race("While the database was busy loading patient " + SLOW + ", " + what
                    + " waited more than " + BLOCKED_AFTER_MS + " ms" + describeWait(t) + slowWhere.get() + "."
                    + " A lock shared by all patients is held for the whole slow load, so one slow record stalls"
                    + " the requests for every other patient on the ward. Hold no cache-wide lock while loading:"
                    + " only requests for the same patient should wait for its load.");
        }
        if (error.get() != null) {
            fail(name + " failed: " + error.get(), error.get());
        }
        return result.get();
    }

    /** ": it is BLOCKED in get (PatientCache.java:31) on a lock held by request-P-1042", as far as known. */
    private static String describeWait(Thread t) {
        StringBuilder sb = new StringBuilder();
        String at = cacheFrame(t.getStackTrace());
        sb.append(": it is ").append(t.getState());
        if (at != null) {
            sb.append(" in ").append(at);
        }
        try {
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.threadId());
            if (info != null && info.getLockOwnerName() != null) {
                sb.append(", on a lock held by ").append(info.getLockOwnerName());
            }
        } catch (RuntimeException | LinkageError ignored) {
            // no management support: the frame is enough
        }
        return sb.toString();
    }

    /** The learner's innermost frame in a stack, as "get (PatientCache.java:31)", or null. */
    private static String cacheFrame(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.equals("racecache.PatientCache") || c.startsWith("racecache.PatientCache$")) {
                return f.getMethodName() + " (" + f.getFileName() + ":" + f.getLineNumber() + ")";
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------
    // 3. stress: nothing lost, sizes right, still load-once
    // ------------------------------------------------------------------------------------

    @Test
    @Order(3)
    @DisplayName("four threads loading and storing patients at once lose nothing")
    void concurrentLoadsAndPutsLoseNothing() throws Exception {
        warmUp();
        for (int round = 1; round <= STRESS_ROUNDS; round++) {
            stressRound(round);
        }
    }

    private static final int STRESS_ROUNDS = 2;
    private static final int STRESS_THREADS = 4;
    private static final int SHARED_IDS = 8; // every thread asks for each of these, in the same order
    private static final int ADMITTED_PER_STEP = 300; // new patients a thread stores after each shared id

    /*
     * One round: four ward threads work in lock-step. In each step they all ask for the same
     * missing patient S-k; the database answers only once all four have asked (a correct cache
     * has made three of them wait for the first one's load; a check-then-act cache has sent all
     * four to the database). Then, lined up at a barrier again, each thread stores a burst of
     * its own new patients and reads some back, all at the same moment: that is where a map
     * that is not thread-safe loses entries, miscounts its size or misses records it holds.
     * Loads and bursts never overlap, so a cache built on ConcurrentHashMap.computeIfAbsent
     * (which locks a bin during the load) is not slowed down by the test's own choreography.
     */
    private static void stressRound(int round) throws Exception {
        final int threads = STRESS_THREADS;
        final int admittedPerThread = SHARED_IDS * ADMITTED_PER_STEP;
        AtomicIntegerArray loads = new AtomicIntegerArray(SHARED_IDS);
        CountDownLatch[] asked = new CountDownLatch[SHARED_IDS];
        for (int k = 0; k < SHARED_IDS; k++) {
            asked[k] = new CountDownLatch(threads);
        }
        ConcurrentLinkedQueue<String> unexpectedLoads = new ConcurrentLinkedQueue<>();
        PatientCache cache = new PatientCache(pid -> {
            if (pid.startsWith("S-")) {
                int k = Integer.parseInt(pid.substring(2));
                loads.incrementAndGet(k);
                awaitQuietly(asked[k], 200); // the others are on their way: they asked already or are about to
            } else {
                unexpectedLoads.add(pid);
            }
            return new Patient(pid, "record of " + pid);
        });
        Patient[][] admitted = new Patient[threads][admittedPerThread];
        for (int t = 0; t < threads; t++) {
            for (int j = 0; j < admittedPerThread; j++) {
                String pid = "A" + t + "-" + j;
                admitted[t][j] = new Patient(pid, "admitted " + pid);
            }
        }
        Patient[][] seen = new Patient[threads][SHARED_IDS];
        Throwable[] failed = new Throwable[threads];
        CyclicBarrier lineUp = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int me = t;
            workers.add(Thread.ofPlatform().name("ward-" + (me + 1)).start(() -> {
                try {
                    int j = 0;
                    for (int k = 0; k < SHARED_IDS; k++) {
                        lineUp.await();
                        asked[k].countDown();
                        seen[me][k] = cache.get("S-" + k);
                        lineUp.await();
                        for (int n = 0; n < ADMITTED_PER_STEP; n++, j++) {
                            cache.put(admitted[me][j]);
                            cache.get(admitted[me][j / 2].id()); // stored earlier: must be a hit
                        }
                    }
                } catch (Throwable e) {
                    failed[me] = e;
                }
            }));
        }
        joinAll(workers, 2500); // correct code needs a few ms; the test limit is 3 s

        String what = threads + " threads that each read " + SHARED_IDS + " shared patients and stored "
                + admittedPerThread + " new ones at the same time (round " + round + ")";
        for (Thread w : workers) {
            if (w.isAlive()) {
                throw Pitfalls.race(w.getName() + " never finished its work with the cache, one of " + what
                        + ". A HashMap changed by several threads at once can corrupt its internal links and"
                        + " loop forever.");
            }
        }
        for (int t = 0; t < threads; t++) {
            if (failed[t] != null) {
                AssertionError e = Pitfalls.race("ward-" + (t + 1) + " failed with " + failed[t] + ", one of " + what
                        + ". A map that is not thread-safe can be corrupted by concurrent writes and then throw"
                        + " from inside its own code.");
                e.initCause(failed[t]);
                throw e;
            }
        }
        if (!unexpectedLoads.isEmpty()) {
            throw Pitfalls.race("patient " + unexpectedLoads.peek() + " had been stored with put(), yet a request"
                    + " did not find it and went to the database (" + unexpectedLoads.size() + " such misses), with "
                    + what + ". A HashMap read while another thread writes it (for example while it grows its"
                    + " table) can answer \"not here\" for a record it holds, or lose the record altogether.");
        }

        // Entries stored by put() must all still be there, unchanged, without a database trip.
        List<String> lost = new ArrayList<>();
        int lostCount = 0;
        for (int t = 0; t < threads; t++) {
            for (int j = 0; j < admittedPerThread; j++) {
                Patient expected = admitted[t][j];
                Patient actual = cache.get(expected.id());
                if (actual != expected) {
                    lostCount++;
                    if (lost.size() < 5) {
                        lost.add(expected.id());
                    }
                }
            }
        }
        if (lostCount > 0) {
            throw Pitfalls.race(lostCount + " of the " + (threads * admittedPerThread) + " patients stored with put()"
                    + " were missing from the cache afterwards (for example " + String.join(", ", lost) + "), with "
                    + what + ". Two threads wrote to the HashMap at the same moment and one write undid the"
                    + " other's: those admissions were silently lost.");
        }

        int expectedSize = threads * admittedPerThread + SHARED_IDS;
        int size = cache.size();
        if (size != expectedSize) {
            throw Pitfalls.race("size() says " + size + " but the cache holds " + expectedSize + " distinct patients"
                    + ", after " + what + ". The map's entry count was updated by several threads at once and"
                    + " some of the updates were lost.");
        }

        for (int k = 0; k < SHARED_IDS; k++) {
            int n = loads.get(k);
            if (n != 1) {
                throw Pitfalls.race("patient S-" + k + " was loaded from the database " + n + " times, with " + what
                        + ": several threads missed it at the same time and each loaded it. Each missing patient"
                        + " must be loaded exactly once.");
            }
            for (int t = 1; t < threads; t++) {
                if (seen[t][k] != seen[0][k]) {
                    throw Pitfalls.race("ward-1 and ward-" + (t + 1) + " got different records for patient S-" + k
                            + ", with " + what + ": the patient was cached twice and one copy replaced the other.");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------
    // 4. plain behaviour, one thread
    // ------------------------------------------------------------------------------------

    @Test
    @Order(4)
    @DisplayName("a cache: loads on a miss, then serves from memory; put stores and replaces")
    void behavesLikeACache() {
        AtomicInteger loads = new AtomicInteger();
        PatientCache cache = new PatientCache(pid -> {
            loads.incrementAndGet();
            return new Patient(pid, "record of " + pid);
        });
        assertEquals(0, cache.size(), "a new cache is empty");

        Patient first = cache.get("P-7");
        assertNotNull(first, "get() on a miss must return the loaded record");
        assertEquals("P-7", first.id(), "get(\"P-7\") must return patient P-7");
        assertEquals(1, loads.get(), "a miss must call the loader once");
        assertSame(first, cache.get("P-7"), "a second get() must return the cached record");
        assertEquals(1, loads.get(), "a second get() of a cached patient must not call the loader again");

        Patient admitted = new Patient("P-8", "Katherine Johnson");
        cache.put(admitted);
        assertSame(admitted, cache.get("P-8"), "get() after put() must return the stored record");
        assertEquals(1, loads.get(), "a patient stored with put() must not be loaded from the database");

        Patient corrected = new Patient("P-7", "corrected record");
        cache.put(corrected);
        assertSame(corrected, cache.get("P-7"), "put() must replace a cached record");
        assertEquals(2, cache.size(), "two distinct patients are cached");
    }

    // ------------------------------------------------------------------------------------

    /** Runs the learner's code once on one thread, so that class loading does not happen mid-race. */
    private static void warmUp() {
        PatientCache cache = new PatientCache(pid -> new Patient(pid, "warm-up"));
        cache.get("P-0000");
        cache.get("P-0000");
        cache.put(new Patient("P-0001", "warm-up"));
        cache.size();
    }

    private static void awaitQuietly(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinAll(List<Thread> threads, long totalMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(totalMillis);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                t.join(left);
            }
        }
    }
}
