package racecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
     * bin with it, whatever the table size. SLOW_TWIN always does: a cache that loads inside
     * computeIfAbsent (which holds the bin's lock during the load) makes it wait.
     */
    private static final String SLOW = "P-1042";
    private static final String CACHED = "P-2001";
    private static final String ADMITTED = "P-3002";
    private static final String MISSING = "P-1043";
    /**
     * Patients the database is stuck on besides SLOW, all at once: more loads than a laptop's
     * common pool has threads (a 32-core machine's has 31), so that a cache that hands its loads to
     * a small pool is held up on any learner's machine, not only on a two-core one.
     */
    private static final int STUCK_BESIDES_SLOW = 31;
    /** Not cached, and its hash code equals SLOW's ("10" and "0O" hash alike). */
    private static final String SLOW_TWIN = "P-0O42";
    /** Where CompletableFuture's async work goes by default, and how small that is here. */
    private static final String COMMON_POOL = "CompletableFuture.supplyAsync without an executor runs on the common"
            + " pool, which has " + java.util.concurrent.ForkJoinPool.getCommonPoolParallelism()
            + (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() == 1 ? " thread" : " threads")
            + " on this machine";

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

        Set<Thread> timed = ConcurrentHashMap.newKeySet(); // seen waiting with a time limit, not loading
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
            // A request that waits with a time limit may give up on the load in progress and load
            // the patient itself: while one waits so, the database stays slow (1.5 s at most).
            long slowUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (loads.get() == 1 && System.nanoTime() < slowUntil && noteTimedWaiters(workers, loading, timed)) {
                Thread.sleep(5);
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
        List<String> gaveUp = workers.stream().filter(w -> timed.contains(w) && loading.contains(w))
                .map(Thread::getName).toList();
        if (n > 1 && !gaveUp.isEmpty()) {
            throw Pitfalls.race("The database was asked for patient " + id + " " + n + " times, for " + requests
                    + " requests that arrived together: " + String.join(", ", gaveUp) + " waited with a time"
                    + " limit while the first load was in progress, then called the loader itself"
                    + (calledFrom.isEmpty() ? "" : " (from " + String.join(", ", calledFrom) + ")") + ". However"
                    + " slow the database, the other requests must wait for that one load.");
        }
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

    /**
     * A request waiting for another's load is interrupted (its caller was cancelled): it may give
     * up with an exception, or go on waiting, but it does not ask the database a second time.
     */
    @Test
    @Order(8)
    @DisplayName("a request interrupted while it waits for another's load does not load the patient again")
    void anInterruptedWaiterDoesNotLoadAgain() throws Exception {
        warmUp();
        String id = "P-1077";
        AtomicInteger loads = new AtomicInteger();
        Set<Thread> loading = ConcurrentHashMap.newKeySet();
        CountDownLatch inLoader = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PatientCache cache = new PatientCache(pid -> {
            loading.add(Thread.currentThread());
            int n = loads.incrementAndGet();
            inLoader.countDown();
            if (n == 1) {
                awaitQuietly(release, 3000);
            }
            return new Patient(pid, "record of " + pid + " (load #" + n + ")");
        });
        AtomicReference<Object> first = new AtomicReference<>();
        AtomicReference<Object> second = new AtomicReference<>();
        Thread loader = Thread.ofPlatform().name("request-1").start(() -> first.set(askQuietly(cache, id)));
        Thread waiter = null;
        boolean loadedBeforeInterrupt = false;
        try {
            if (!inLoader.await(1, TimeUnit.SECONDS)) {
                fail("request-1 for patient " + id + " had not called the loader after 1 s.");
            }
            waiter = Thread.ofPlatform().name("request-2").start(() -> second.set(askQuietly(cache, id)));
            if (!sitsStill(waiter, loading, Patience.millis(1000, 5000))) {
                fail("request-2 for patient " + id + ", asked while request-1 was loading it, neither waited nor"
                        + " returned within 1 s" + describeWait(waiter) + ".");
            }
            loadedBeforeInterrupt = loading.contains(waiter);
            waiter.interrupt();
            // it gives up, waits on, or (wrongly) calls the loader: give it a moment to show which
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(200, 1000));
            while (waiter.isAlive() && loads.get() == 1 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        } finally {
            release.countDown();
        }
        joinAll(waiter == null ? List.of(loader) : List.of(loader, waiter), 2000);
        for (Thread t : waiter == null ? List.of(loader) : List.of(loader, waiter)) {
            if (t.isAlive()) {
                fail(t.getName() + " for patient " + id + " had not returned 2 s after the database returned the"
                        + " record" + describeWait(t) + ".");
            }
        }
        if (loadedBeforeInterrupt) {
            throw Pitfalls.race("request-2 for patient " + id + ", asked while request-1 was loading it, called the"
                    + " loader itself: the database was asked " + loads.get() + " times. The patient is loaded"
                    + " once; the other requests wait for that load.");
        }
        if (loads.get() > 1) {
            throw Pitfalls.race("request-2 was interrupted while it waited for request-1's load of patient " + id
                    + ", and the database was then asked for " + id + " " + loads.get() + " times in all"
                    + (loading.contains(waiter) ? ", request-2 calling the loader itself" : "") + ". An interrupted"
                    + " request may give up (with an exception) or go on waiting, but the patient is loaded once.");
        }
        if (!(first.get() instanceof Patient)) {
            fail("request-1 for patient " + id + " got " + first.get() + " instead of the loaded record.");
        }
        if (second.get() instanceof Patient p && p != first.get()) {
            throw Pitfalls.race("request-1 and the interrupted request-2 got different records for patient " + id
                    + " (" + first.get() + ", " + p + "), although it was loaded once.");
        }
        if (second.get() == null) {
            fail("The interrupted request-2 for patient " + id + " returned null: give up with an exception, or"
                    + " wait and return the loaded record.");
        }
    }

    /** What {@code cache.get(id)} returns, or what it throws. */
    private static Object askQuietly(PatientCache cache, String id) {
        try {
            return cache.get(id);
        } catch (Throwable t) {
            return t;
        }
    }

    /** Whether {@code t}, not in the loader, sits in a wait for 20 ms (or has ended) within the time. */
    private static boolean sitsStill(Thread t, Set<Thread> loading, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long since = 0;
        while (System.nanoTime() < deadline) {
            Thread.State s = t.getState();
            if (s == Thread.State.TERMINATED || loading.contains(t)) {
                return true;
            }
            boolean waiting = s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
            if (!waiting) {
                since = 0;
            } else if (since == 0) {
                since = System.nanoTime();
            } else if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(20)) {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }

    /** Notes the requests that wait with a time limit and are not loading; whether there are any. */
    private static boolean noteTimedWaiters(List<Thread> workers, Set<Thread> loading, Set<Thread> timed) {
        boolean any = false;
        for (Thread w : workers) {
            if (!loading.contains(w) && w.getState() == Thread.State.TIMED_WAITING) {
                timed.add(w);
                any = true;
            }
        }
        return any;
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
    @DisplayName("slow loads of 32 patients at once do not hold up requests for other patients")
    void slowLoadDoesNotBlockOtherPatients() throws Exception {
        warmUp();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch releaseSlow = new CountDownLatch(1);
        AtomicReference<String> slowCalledFrom = new AtomicReference<>();
        PatientCache cache = new PatientCache(pid -> {
            if (pid.equals(SLOW)) {
                slowCalledFrom.set(cacheFrame(new Throwable().getStackTrace()));
                slowStarted.countDown();
            }
            if (pid.equals(SLOW) || pid.startsWith("P-STUCK-")) {
                awaitQuietly(releaseSlow, 5000); // the database is stuck on these records
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
            for (int i = 1; i <= STUCK_BESIDES_SLOW; i++) {
                String stuck = String.format("P-STUCK-%02d", i);
                started.add(Thread.ofPlatform().name("request-" + stuck).start(() -> cache.get(stuck)));
            }

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

            // an id with the slow one's hash code: in a ConcurrentHashMap it always shares the slow id's bin
            if (SLOW_TWIN.hashCode() != SLOW.hashCode()) {
                throw new IllegalStateException("hidden test: " + SLOW_TWIN + " must share " + SLOW + "'s hash code");
            }
            Object twin = step(started, "request-" + SLOW_TWIN, () -> cache.get(SLOW_TWIN),
                    "loading patient " + SLOW_TWIN + ", whose id has the same hash code as " + SLOW + ",", slowWhere);
            if (!(twin instanceof Patient p) || !p.id().equals(SLOW_TWIN)) {
                fail("get(\"" + SLOW_TWIN + "\") returned " + twin + " instead of the record loaded for it");
            }
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
            StackTraceElement[] stack = t.getStackTrace();
            String insideMap = mapMethodWaitedIn(stack);
            String onFuture = futureWaitedOn(stack);
            throw Pitfalls.race("While the database was stuck loading patient " + SLOW + " and "
                    + STUCK_BESIDES_SLOW + " others, " + what
                    + " waited more than " + BLOCKED_AFTER_MS + " ms" + describeWait(t) + slowWhere.get() + "."
                    + (insideMap != null
                            ? " It waits inside ConcurrentHashMap." + insideMap + ": the map holds the lock of a"
                                    + " key's bin while it computes a value, and other ids fall in that bin (ids with"
                                    + " equal hash codes always do). Load outside the map's locks: store a future for"
                                    + " the id first, then load, and let the other requests for that id wait on it."
                            : onFuture != null ? queuedBehindTheSlowLoad(onFuture)
                            : " A lock shared by all patients is held for the whole slow load, so one slow record"
                                    + " stalls the requests for every other patient on the ward. Hold no cache-wide"
                                    + " lock while loading: only requests for the same patient should wait for its"
                                    + " load."));
        }
        if (error.get() != null) {
            fail(name + " failed: " + error.get(), error.get());
        }
        return result.get();
    }

    /** The future a stack waits on ("CompletableFuture.join"), above the cache's own frames; or null. */
    private static String futureWaitedOn(StackTraceElement[] stack) {
        String called = null; // the outermost of the future's frames: the call the cache made (join, get)
        for (StackTraceElement f : stack) {
            String type = f.getClassName();
            if (type.equals("java.util.concurrent.CompletableFuture") || type.equals("java.util.concurrent.FutureTask")) {
                called = type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethodName();
            } else if (type.startsWith("racecache.")) {
                return called;
            }
        }
        return null;
    }

    /** What a wait on a future for another patient suggests: its load is queued on a pool the slow load holds. */
    private static String queuedBehindTheSlowLoad(String future) {
        return " It waits on a future (" + future + ") whose load has not finished, although that load is"
                + " not a slow one. If loads are handed to a thread pool, the slow loads can hold all of the pool's"
                + " threads and the others queue behind them: " + COMMON_POOL + "."
                + " Give each load a thread of its own (a virtual thread, say), or load on the requesting thread.";
    }

    /** The ConcurrentHashMap method a stack waits in ("computeIfAbsent"), or null. */
    private static String mapMethodWaitedIn(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (f.getClassName().equals("java.util.concurrent.ConcurrentHashMap")) {
                return f.getMethodName();
            }
            if (f.getClassName().startsWith("racecache.")) {
                return null;
            }
        }
        return null;
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

        PatientCache other = new PatientCache(pid -> new Patient(pid, "the other ward's record"));
        assertEquals("the other ward's record", other.get("P-7").name(),
                "two caches with their own loaders must not share their records");
        assertSame(corrected, cache.get("P-7"), "a second cache must not change the first one's records");

        String[] sameHash = {"P-AaAa", "P-AaBB", "P-BBAa", "P-BBBB"};
        for (String pid : sameHash) {
            Patient p = cache.get(pid);
            assertEquals(pid, p.id(), "get(\"" + pid + "\") with an id whose hash code equals other ids'");
        }
        for (String pid : sameHash) {
            assertEquals(pid, cache.get(pid).id(), "get(\"" + pid + "\") again, among ids with equal hash codes");
        }
        assertEquals(1 + sameHash.length, loads.get(), "each of four ids with equal hash codes is loaded once");
        assertEquals(2 + sameHash.length, cache.size(), "six distinct patients are cached");
    }

    // ------------------------------------------------------------------------------------
    // 5. the race in lock-step: threads ask for the same missing patient at the same moment,
    //    one patient after another, for a fixed time, and store patients of their own.
    //    A request that checks and then acts, however close together, is caught when another
    //    request for that patient runs between its check and its act: in parallel on several
    //    cores, or when the scheduler preempts it in that gap on one.
    // ------------------------------------------------------------------------------------

    private static final int[] FRONTIER_THREADS = {2, 3, 4};
    private static final int FRONTIER_IDS = 32_768;
    private static final long FRONTIER_ROUND_MS = 60;
    private static final long FRONTIER_BUDGET_MS = 300;

    @Test
    @Order(5)
    @DisplayName("threads asking for the same new patients in the same order, and storing their own, load each once and lose nothing")
    void threadsWalkingTheSameMissingPatientsLoadEachOnce() throws Exception {
        warmUp();
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        long budgetEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FRONTIER_BUDGET_MS);
        int round = 0;
        while (round < 2 || System.nanoTime() < budgetEnd) {
            round++;
            int threads = FRONTIER_THREADS[random.nextInt(FRONTIER_THREADS.length)];
            boolean colliding = random.nextBoolean();
            String scenario = "seed " + seed + ", round " + round + ": " + threads + " threads asking for each new"
                    + " patient at once, for " + FRONTIER_ROUND_MS + " ms"
                    + (colliding ? ", ids that share hash codes in groups of 16" : "");
            String[] ids = new String[FRONTIER_IDS];
            for (int i = 0; i < FRONTIER_IDS; i++) {
                ids[i] = colliding ? collidingId(i) : "F-" + i + "-";
            }
            AtomicIntegerArray loads = new AtomicIntegerArray(FRONTIER_IDS);
            PatientCache cache = new PatientCache(pid -> {
                if (pid.startsWith("F-")) {
                    loads.incrementAndGet(frontierIndex(pid));
                }
                return new Patient(pid, "record");
            });
            Patient[][] got = new Patient[threads][FRONTIER_IDS];
            Patient[][] admittedBy = new Patient[threads][FRONTIER_IDS / 8];
            Throwable[] failed = new Throwable[threads];
            long roundEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FRONTIER_ROUND_MS);
            java.util.concurrent.atomic.AtomicInteger arrived = new java.util.concurrent.atomic.AtomicInteger();
            int[] stopAt = {FRONTIER_IDS};
            java.util.concurrent.atomic.AtomicBoolean abort = new java.util.concurrent.atomic.AtomicBoolean();
            long jitterSeed = random.nextLong();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int me = t;
                workers.add(Thread.ofPlatform().name("ward-" + (me + 1)).start(() -> {
                    try {
                        Patient[] mine = got[me];
                        Patient[] admitted = admittedBy[me];
                        long jitter = jitterSeed + me;
                        for (int i = 0; i < FRONTIER_IDS; i++) {
                            if (me == 0 && (i & 63) == 0 && System.nanoTime() > roundEnd) {
                                synchronized (stopAt) {
                                    stopAt[0] = Math.min(stopAt[0], i + 2);
                                }
                            }
                            int stop;
                            synchronized (stopAt) {
                                stop = stopAt[0];
                            }
                            if (i >= stop) {
                                break;
                            }
                            // all threads ask for patient i at the same moment, each after a small
                            // jitter of its own, so that their calls overlap at every offset
                            arrived.incrementAndGet();
                            int spins = 0;
                            while (arrived.get() < (i + 1) * threads) {
                                if (abort.get()) {
                                    return;
                                }
                                if (++spins > 200) {
                                    Thread.yield();
                                } else {
                                    Thread.onSpinWait();
                                }
                            }
                            jitter = jitter * 6364136223846793005L + 1442695040888963407L;
                            for (int k = (int) (jitter >>> 58); k > 0; k--) {
                                Thread.onSpinWait();
                            }
                            mine[i] = cache.get(ids[i]);
                            if ((i & 7) == me) {
                                Patient p = new Patient("A" + me + "-" + (i >> 3), "admitted");
                                cache.put(p);
                                admitted[i >> 3] = p;
                            }
                        }
                    } catch (Throwable e) {
                        failed[me] = e;
                        abort.set(true);
                    }
                }));
            }
            joinAll(workers, 2000);
            for (Thread w : workers) {
                if (w.isAlive()) {
                    fail(w.getName() + " was still asking for patients 2 s after its " + FRONTIER_ROUND_MS
                            + " ms round began (" + scenario + ")" + describeWait(w));
                }
            }
            for (int t = 0; t < threads; t++) {
                if (failed[t] != null) {
                    fail("ward-" + (t + 1) + " failed (" + scenario + "): " + failed[t], failed[t]);
                }
            }
            int asked = 0;
            for (int i = 0; i < FRONTIER_IDS; i++) {
                Patient first = null;
                int firstThread = -1;
                for (int t = 0; t < threads; t++) {
                    Patient p = got[t][i];
                    if (p == null) {
                        continue;
                    }
                    if (first == null) {
                        first = p;
                        firstThread = t;
                        if (!p.id().equals(ids[i])) {
                            fail("get(\"" + ids[i] + "\") returned " + p + " (" + scenario + ")");
                        }
                    } else if (p != first) {
                        throw Pitfalls.race("ward-" + (firstThread + 1) + " and ward-" + (t + 1) + " got different"
                                + " records for patient " + ids[i] + " (" + scenario + "): it was loaded "
                                + loads.get(i) + " times");
                    }
                }
                int n = loads.get(i);
                if (first == null) {
                    continue;
                }
                asked++;
                if (n > 1) {
                    throw Pitfalls.race("patient " + ids[i] + " was loaded from the database " + n + " times ("
                            + scenario + "): more than one of the requests that asked for it at about the same"
                            + " time went to the database. Whatever a request checks before it loads, another"
                            + " request for the same patient can run between that check and the moment the"
                            + " first one's load is visible to it. Each missing patient must be loaded exactly once.");
                }
                if (n == 0) {
                    fail("patient " + ids[i] + " was never loaded, yet get() returned " + first + " (" + scenario + ")");
                }
            }
            int stored = 0;
            for (Patient[] admitted : admittedBy) {
                for (Patient p : admitted) {
                    if (p == null) {
                        continue;
                    }
                    stored++;
                    Patient found = cache.get(p.id());
                    if (found != p) {
                        throw Pitfalls.race("patient " + p.id() + " was stored with put() while other threads loaded"
                                + " and stored patients (" + scenario + "), but afterwards get() returned " + found
                                + (found != null && found.name().equals("record")
                                        ? ", loaded from the database: the stored record was lost" : ""));
                    }
                }
            }
            if (cache.size() != asked + stored) {
                throw Pitfalls.race("size() says " + cache.size() + " after " + asked + " distinct patients were"
                        + " loaded and " + stored + " stored with put() by " + threads + " threads at once (" + scenario
                        + ")");
            }
        }
    }

    /** "F-k-" and 4 blocks of "Aa" or "BB": every 16 consecutive ids share one String hash code. */
    private static int frontierIndex(String pid) {
        int dash = pid.indexOf('-', 2);
        int n = Integer.parseInt(pid, 2, dash, 10);
        if (dash == pid.length() - 1) {
            return n;
        }
        int bits = 0;
        for (int b = 0; b < 4; b++) {
            bits |= (pid.charAt(dash + 1 + 2 * b) == 'B' ? 1 : 0) << b;
        }
        return n << 4 | bits;
    }

    private static String collidingId(int i) {
        StringBuilder sb = new StringBuilder("F-").append(i >> 4).append('-');
        for (int b = 0; b < 4; b++) {
            sb.append((i >> b & 1) == 0 ? "Aa" : "BB");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------
    // 6. the loader fails: the requests for that patient learn it or load it again, none
    //    hangs, the failure is not cached, and the next request loads the patient.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(6)
    @DisplayName("a load that fails is not cached: waiting requests do not hang and the next request loads again")
    void aFailedLoadIsNotCached() throws Exception {
        warmUp();
        RuntimeException[] kinds = {new IllegalStateException("records database unreachable"),
            new java.io.UncheckedIOException(new java.io.IOException("connection reset"))};
        Error error = new AssertionError("corrupt record page");
        Object[][] scenarios = {{1, kinds[0]}, {1, error}, {4, kinds[1]}, {4, error}};
        for (int k = 0; k < scenarios.length; k++) {
            int requests = (Integer) scenarios[k][0];
            Throwable thrown = (Throwable) scenarios[k][1];
            failedLoadScenario(requests, thrown, "scenario " + (k + 1) + ": " + requests + " request"
                    + (requests == 1 ? "" : "s at once") + ", the first load throws " + thrown);
        }
        aRecordStoredWhileItsLoadRunsIsKept(true);
        aRecordStoredWhileItsLoadRunsIsKept(false);
    }

    /**
     * A record stored with put() while a load of the same patient is in progress, a load that
     * then fails, or then succeeds: the stored record stays, and the next request gets it from
     * memory.
     */
    private static void aRecordStoredWhileItsLoadRunsIsKept(boolean loadFails) throws Exception {
        String id = loadFails ? "P-5006" : "P-5007";
        String ending = loadFails ? "that load then threw" : "that load then returned the database's record";
        String scenario = "a record of " + id + " stored with put() while a load of it was in progress, and "
                + ending;
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch inLoader = new CountDownLatch(1);
        CountDownLatch failNow = new CountDownLatch(1);
        PatientCache cache = new PatientCache(pid -> {
            if (loads.incrementAndGet() == 1) {
                inLoader.countDown();
                awaitQuietly(failNow, 1000);
                if (loadFails) {
                    throw new IllegalStateException("records database unreachable");
                }
                return new Patient(pid, "record of " + pid + " (load #1, started before the put)");
            }
            return new Patient(pid, "record of " + pid + " (load #" + loads.get() + ")");
        });
        Patient admitted = new Patient(id, "record stored at admission");
        Thread request = Thread.ofPlatform().name("request").daemon().start(() -> {
            try {
                cache.get(id);
            } catch (RuntimeException | Error expected) {
                // the failure reaches this request, or it gets a record: both are allowed
            }
        });
        AtomicReference<Throwable> putFailed = new AtomicReference<>();
        Thread admission = null;
        try {
            if (!inLoader.await(1, TimeUnit.SECONDS)) {
                fail("A request for patient " + id + " had not called the loader after 1 s.");
            }
            admission = Thread.ofPlatform().name("admission").daemon().start(() -> {
                try {
                    cache.put(admitted);
                } catch (Throwable e) {
                    putFailed.set(e);
                }
            });
            // the put lands, or waits (a cache may hold it until the load of that patient is over)
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            int still = 0;
            while (admission.isAlive() && still < 5 && System.nanoTime() < deadline) {
                Thread.State state = admission.getState();
                still = state == Thread.State.WAITING || state == Thread.State.BLOCKED ? still + 1 : 0;
                Thread.sleep(1);
            }
        } finally {
            failNow.countDown();
        }
        joinAll(admission == null ? List.of(request) : List.of(request, admission), 1000);
        if (request.isAlive() || admission.isAlive()) {
            Thread stuck = request.isAlive() ? request : admission;
            fail(stuck.getName() + " had not returned 1 s after the load " + (loadFails ? "failed" : "returned") + " ("
                    + scenario + ")"
                    + describeWait(stuck) + ".");
        }
        if (putFailed.get() != null) {
            fail("put(" + admitted + ") threw " + putFailed.get() + " (" + scenario + ")", putFailed.get());
        }
        int loadsBefore = loads.get();
        Object after = askAfterwards(cache, id, "the load " + (loadFails ? "failed" : "returned") + " (" + scenario
                + ")");
        if (after != admitted) {
            throw Pitfalls.race("A record of " + id + " was stored with put() while a load of it was in progress,"
                    + " and " + ending + ". A request made afterwards got " + after
                    + (loads.get() > loadsBefore ? ", from the database, which was asked again" : "")
                    + ", not the stored record, and size() says " + cache.size() + ": the record stored during"
                    + " the load is gone from the cache. " + (loadFails
                            ? "Cleaning up after a failed load must remove that load's own entry only."
                            : "The load put its record over the one stored meanwhile: a load must not replace a"
                                    + " record stored while it ran."));
        }
        if (cache.size() != 1) {
            throw Pitfalls.race("A record of " + id + " was stored with put() while a load of it was in progress,"
                    + " and " + ending + ". The record is cached, the only one in this cache, yet size() says "
                    + cache.size() + ". size() must count what the cache holds, whatever happened to the load.");
        }
    }

    private static void failedLoadScenario(int requests, Throwable thrown, String scenario) throws Exception {
        String id = "P-5005";
        AtomicInteger loads = new AtomicInteger();
        AtomicInteger entered = new AtomicInteger();
        CountDownLatch allAsked = new CountDownLatch(1);
        PatientCache cache = new PatientCache(pid -> {
            if (loads.incrementAndGet() == 1) {
                awaitQuietly(allAsked, 1000); // every request has asked: the others wait for this load
                throw PatientCacheTest.<RuntimeException>sneaky(thrown);
            }
            return new Patient(pid, "record of " + pid + " (load #" + loads.get() + ")");
        });
        CyclicBarrier start = new CyclicBarrier(requests);
        Object[] results = new Object[requests];
        List<Thread> workers = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            final int me = r;
            workers.add(Thread.ofPlatform().name("request-" + (me + 1)).daemon().start(() -> {
                try {
                    start.await();
                    entered.incrementAndGet();
                    results[me] = cache.get(id);
                } catch (Throwable e) {
                    results[me] = e;
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < deadline
                && !(entered.get() == requests && loads.get() > 0 && allLoadingOrParked(workers, java.util.Set.of()))) {
            Thread.sleep(1);
        }
        allAsked.countDown();
        joinAll(workers, 1000);
        for (Thread w : workers) {
            if (w.isAlive()) {
                fail(w.getName() + " still had no answer for patient " + id + " 1 s after the load it was waiting"
                        + " for had failed (" + scenario + ")" + describeWait(w)
                        + ". A request waiting on a failed load must get the failure or load the patient itself.");
            }
        }
        int loadsBefore = loads.get();
        Patient loadedOk = null;
        for (int r = 0; r < requests; r++) {
            Object res = results[r];
            if (res instanceof Patient p) {
                if (!p.id().equals(id)) {
                    fail("request-" + (r + 1) + " got " + p + " for patient " + id + " (" + scenario + ")");
                }
                if (loadedOk != null && loadedOk != p) {
                    fail("two requests got different records for patient " + id + " (" + scenario + ")");
                }
                loadedOk = p;
            } else if (!causedBy(res, thrown)) {
                fail("request-" + (r + 1) + " got " + res + " (" + scenario + "): a request whose load failed"
                        + " must get that failure, " + thrown + " (or an exception caused by it), or the record"
                        + " from a load that worked");
            }
        }
        if (results.length == 1 && !causedBy(results[0], thrown)) {
            fail("the only request got " + results[0] + " (" + scenario + "), not the loader's failure");
        }
        Object after = askAfterwards(cache, id, "its load had failed (" + scenario + ")");
        if (!(after instanceof Patient p) || !p.id().equals(id)) {
            fail("a request for patient " + id + " made after its load had failed got " + after + " ("
                    + scenario + "): the failure must not be cached; the next request loads the patient again");
        }
        if (loadedOk != null && after != loadedOk) {
            fail("the record a waiting request loaded after the failure was not the one cached (" + scenario + ")");
        }
        if (loads.get() != Math.max(loadsBefore, 2)) {
            fail("the database was asked for patient " + id + " " + loads.get() + " times (" + scenario
                    + "): once for the failed load, and once more only");
        }
        if (cache.size() != 1) {
            fail("size() says " + cache.size() + " with one patient cached after a failed load (" + scenario + ")");
        }
    }

    /** What a request for {@code id}, on a thread of its own, gets (a record or a throwable); fails after 1 s. */
    private static Object askAfterwards(PatientCache cache, String id, String after) throws InterruptedException {
        AtomicReference<Object> got = new AtomicReference<>();
        Thread next = Thread.ofPlatform().name("request-after").daemon().start(() -> {
            try {
                got.set(cache.get(id));
            } catch (Throwable e) {
                got.set(e);
            }
        });
        next.join(1000);
        if (next.isAlive()) {
            fail("a request for patient " + id + " made after " + after + " got no answer within 1 s"
                    + describeWait(next));
        }
        return got.get();
    }

    private static boolean causedBy(Object result, Throwable thrown) {
        for (Object e = result; e instanceof Throwable t; e = t.getCause() == t ? null : t.getCause()) {
            if (t == thrown) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Order(7)
    @DisplayName("two caches loading the same patient at the same moment each load their own record")
    void twoCachesLoadTheirOwnRecords() throws Exception {
        warmUp();
        String id = "P-6006";
        CountDownLatch northEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger southLoads = new AtomicInteger();
        PatientCache north = new PatientCache(pid -> {
            northEntered.countDown();
            awaitQuietly(release, 10_000);
            return new Patient(pid, "north ward's record");
        });
        PatientCache south = new PatientCache(pid -> {
            southLoads.incrementAndGet();
            return new Patient(pid, "south ward's record");
        });
        Thread northRequest = Thread.ofPlatform().name("north-request").start(() -> north.get(id));
        AtomicReference<Object> southGot = new AtomicReference<>();
        Thread southRequest = null;
        try {
            if (!northEntered.await(1, TimeUnit.SECONDS)) {
                fail("The north ward's cache never called its loader for " + id + " within 1 s.");
            }
            southRequest = Thread.ofPlatform().name("south-request").start(() -> {
                try {
                    southGot.set(south.get(id));
                } catch (Throwable t) {
                    southGot.set(t);
                }
            });
            southRequest.join(dev.kata.probe.api.Patience.millis(1000, 5000));
            if (southRequest.isAlive()) {
                String onFuture = futureWaitedOn(southRequest.getStackTrace());
                throw Pitfalls.race("The north ward's cache was loading " + id + " (its database is slow), and the "
                        + "south ward's cache, a separate PatientCache with its own loader, was asked for the same "
                        + "patient: that request is still waiting (" + southRequest.getState() + "). Its own loader "
                        + loaderCalls(southLoads.get()) + ". Each cache keeps its own records: a load in progress "
                        + "may be shared between the requests of one cache, never between caches"
                        + (onFuture == null || southLoads.get() > 0 ? " (is the map of loads in progress static?)."
                                : ". The request waits on a future (" + onFuture + "): if the south ward's load was"
                                        + " handed to a thread pool, it may be queued behind the north ward's slow"
                                        + " load (" + COMMON_POOL + "); if the map of loads in progress is static, the"
                                        + " south ward waits on the north ward's load."));
            }
        } finally {
            release.countDown();
        }
        northRequest.join(1000);
        Object got = southGot.get();
        if (got instanceof Throwable t) {
            fail("south.get(\"" + id + "\") threw " + t, t);
        }
        Patient patient = (Patient) got;
        if (patient == null || !"south ward's record".equals(patient.name()) || southLoads.get() != 1) {
            throw Pitfalls.race("Two caches with their own loaders were asked for " + id + " at the same moment; the "
                    + "south ward's cache returned " + patient + ", and its loader " + loaderCalls(southLoads.get())
                    + ". Each cache keeps its own records and loads them with its own loader.");
        }
    }

    private static String loaderCalls(int n) {
        return n == 0 ? "was never called" : n == 1 ? "was called once" : "was called " + n + " times";
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
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
