package boundedworkers;

import static org.junit.jupiter.api.Assertions.fail;

import boundedworkers.CodingBackfill.TerminologyService;
import dev.kata.probe.api.LiveThreads;
import dev.kata.probe.api.Pitfalls;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the bounded-workers kata. The terminology service double counts the lookups in
 * flight and remembers the peak. In the first test it holds every lookup until the test lets go,
 * so that nothing finishes early and the peak shows how many calls the backfill really starts at
 * once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CodingBackfillTest {

    /** What the service double accepts at once. */
    private static final int LIMIT = 4;
    /** Records in the first test: a night's run is tens of thousands; a few hundred show the shape. */
    private static final int RECORDS = 300;
    /** How long the backfill may take to have LIMIT lookups in flight. */
    private static final long FILL_WAIT_MS = 2000;
    /** How long the test watches, with LIMIT lookups held, for one more to start. */
    private static final long EXCESS_WAIT_MS = 250;
    /**
     * Threads the backfill may have alive while LIMIT lookups are held: its workers, and room for
     * a few that have handed back their slot and are still ending.
     */
    private static final int MAX_THREADS = 2 * LIMIT + 4;
    /** How long the backfill may take to return once the lookups are let go. */
    private static final long FINISH_WAIT_MS = 2000;
    /** How long the second test's backfill (40 quick lookups) may take before it counts as stuck. */
    private static final long STALL_WAIT_MS = 1000;

    @Test
    @Order(1)
    void neverMoreLookupsAtOnceThanTheServiceAccepts() throws Exception {
        List<String> ids = recordIds("R-", RECORDS);
        CountingService service = new CountingService(LIMIT, Set.of(), ids.size(), true);
        Set<Thread> before = new HashSet<>(LiveThreads.all());
        Run run = Run.start(new CodingBackfill(service), ids);
        try {
            if (!service.full.await(FILL_WAIT_MS, TimeUnit.MILLISECONDS)) {
                service.letGo();
                run.rethrowFailure();
                fail("With " + RECORDS + " records waiting, the backfill never had " + LIMIT + " lookups running "
                        + "at once (at most " + service.peak.get() + " within " + FILL_WAIT_MS + " ms). The "
                        + "terminology service accepts " + LIMIT + " concurrent calls from us, and the night is "
                        + "not long enough for one at a time: keep the lookups concurrent, up to "
                        + "maxConcurrentCalls(), never beyond.");
            }
            if (service.over.await(EXCESS_WAIT_MS, TimeUnit.MILLISECONDS)) {
                service.allIn.await(200, TimeUnit.MILLISECONDS); // let the pile-up show its real size
                int peak = service.peak.get();
                service.letGo();
                String why = peak >= RECORDS
                        ? "Every record's lookup was in flight at once: the number of open calls grows with the input: "
                                + RECORDS + " records here, tens of thousands on a real night, each holding a connection"
                                + " and its record's memory while the service queues and then sheds the excess."
                        : "More lookups than the bound ran at once, each holding a connection and its record's"
                                + " memory while the service queues and then sheds the excess.";
                if (dev.kata.probe.api.LearnerCode.mentions(CodingBackfill.class, "java.util.concurrent.ForkJoinPool",
                        "newWorkStealingPool")) {
                    why += " Your backfill uses a ForkJoinPool: when one of its threads blocks in a wait the pool is"
                            + " told about (a CompletableFuture's get, as a blocking HTTP client waits, and as these"
                            + " lookups wait), the pool starts another thread to keep its parallelism, and that thread"
                            + " takes the next record: its size bounds no blocking calls.";
                } else if (peak >= RECORDS) {
                    why += " Cheap threads (virtual threads, goroutines) do not make the calls cheap.";
                }
                throw Pitfalls.resourceLeak(peak + " lookups were in flight at the same time, for a terminology "
                        + "service that accepts " + LIMIT + " (maxConcurrentCalls()). " + why + " Bound the"
                        + " concurrency: a Semaphore with maxConcurrentCalls() permits, or a fixed pool of that many"
                        + " workers.");
            }
            expectFewThreads(before, run);
        } finally {
            service.letGo();
        }

        Map<String, String> codes = run.await(FINISH_WAIT_MS);
        int peak = service.peak.get();
        if (peak > LIMIT) {
            throw Pitfalls.resourceLeak(peak + " lookups were in flight at the same time once the first ones "
                    + "finished; the terminology service accepts " + LIMIT + ". The bound must hold for the whole "
                    + "run, not only at the start.");
        }
        expectCodes(codes, ids, Set.of(), service);
    }

    /**
     * With LIMIT lookups held open and the rest of the records waiting, the threads the backfill
     * has started must not grow with the input either: a thread per record that waits for a slot
     * keeps the lookups bounded but not the threads.
     */
    private static void expectFewThreads(Set<Thread> before, Run run) {
        List<Thread> started = LiveThreads.all().stream()
                .filter(t -> !before.contains(t) && t != run.thread && !LiveThreads.isJvmOrGrader(t))
                .toList();
        if (started.size() <= MAX_THREADS) {
            return;
        }
        String waiting = started.stream().filter(t -> !CountingService.inLookup(t)).findFirst()
                .map(t -> " One of those not in a lookup is " + Run.where(t) + ".").orElse("");
        throw Pitfalls.resourceLeak(started.size() + " threads that the backfill started were alive at the same "
                + "time, while " + LIMIT + " lookups were held open and the rest of the " + RECORDS + " records "
                + "waited." + waiting + " The lookups keep to the bound, but the threads do not: a thread per "
                + "record that waits for its turn still grows with the input, tens of thousands on a real night, "
                + "each with its stack and its record, virtual threads included. Take the slot before you start "
                + "the thread, or have maxConcurrentCalls() workers share the records.");
    }

    @Test
    @Order(2)
    void failedLookupsGiveTheirSlotBack() throws Exception {
        List<String> ids = recordIds("F-", 40);
        Set<String> unmapped = Set.of("F-003", "F-007", "F-011", "F-015", "F-019", "F-023", "F-027", "F-031");
        // Half of them fail the hard way, with an Error from the client library: as many as there are slots.
        CountingService service = new CountingService(LIMIT, unmapped, ids.size(), false);
        Run run = Run.start(new CodingBackfill(service), ids);
        int asked = 0;
        // A busy machine makes the backfill slow, not stuck: it is stuck once no new lookup starts for a while.
        while (!run.done.await(STALL_WAIT_MS, TimeUnit.MILLISECONDS) && service.calls.size() > asked) {
            asked = service.calls.size();
        }
        if (run.done.getCount() > 0) {
            long failed = unmapped.stream().filter(service.calls::containsKey).count();
            long broken = CountingService.BROKEN_CLIENT.stream().filter(service.calls::containsKey).count();
            throw Pitfalls.deadlock("backfill() has not returned, and no new lookup has started for " + STALL_WAIT_MS
                    + " ms: " + (asked < ids.size() ? "only " + asked + " of " + ids.size() + " records were ever looked up"
                    : "all " + ids.size() + " records were looked up") + ", "
                    + failed + " lookups failed (" + broken + " of them with an Error from the client library, the"
                    + " others with an exception), and "
                    + (service.inFlight.get() == 0 ? "every lookup has ended" : service.inFlight.get()
                    + " are still in flight") + "; backfill() waits, " + Run.where(run.thread) + ". A failed "
                    + "lookup must give its slot back like any other: if a permit, a pool's worker or a count of "
                    + "lookups in flight is given back only after a lookup that returned, the slots run out after "
                    + "a few failures. Give it back in a finally block, which runs whatever the lookup throws.");
        }
        expectCodes(run.await(0), ids, unmapped, service);
    }


    /**
     * One lookup is slow (held until the test lets it go); every other one answers at once. A fix
     * that pulls the next record into whichever slot frees up looks up all the others meanwhile;
     * one that works in fixed rounds, or hands each worker a fixed share of the records, leaves
     * slots idle behind the slow one.
     */
    @Test
    @Order(4)
    void aSlowLookupHoldsOnlyItsOwnSlot() throws Exception {
        List<String> ids = recordIds("S-", 40);
        SlowFirstService service = new SlowFirstService(LIMIT);
        Run run = Run.start(new CodingBackfill(service), ids);
        long wait = dev.kata.probe.api.Patience.millis(1000, 2000);
        try {
            if (!service.allButTheSlowOneDone(ids.size(), wait)) {
                fail("While the lookup of " + service.slow + " was slow (held by the test for " + wait + " ms), only "
                        + service.done.get() + " of the " + (ids.size() - 1) + " other records were looked up, although each "
                        + "of them answers at once and the service accepts " + LIMIT + " calls at a time (at most "
                        + service.peak.get() + " were in flight meanwhile). A slow lookup should hold only its own "
                        + "slot: the other workers keep taking the next record. Rounds that wait for their slowest "
                        + "lookup, or records split into fixed shares per worker, leave slots idle behind it.");
            }
        } finally {
            service.letGo();
        }
        Map<String, String> codes = run.await(FINISH_WAIT_MS);
        if (service.peak.get() > LIMIT) {
            throw Pitfalls.resourceLeak(service.peak.get() + " lookups were in flight at the same time while one "
                    + "was slow; the terminology service accepts " + LIMIT + ".");
        }
        expectCodes(codes, ids, Set.of(), service.calls);
    }

    // ------------------------------------------------------------------ seeded scenarios

    /**
     * Seeded runs: limits of 1 to 7, inputs from empty to thousands (far more than any count a
     * fix might pick), failing lookups anywhere, lookups of uneven length, and two backfills at
     * once on one CodingBackfill. Per call: never more than the limit in flight, every record
     * looked up exactly once, the result exactly the successful ones, nothing in flight when
     * backfill returns.
     */
    @Test
    @Order(3)
    @org.junit.jupiter.api.Timeout(value = 8, unit = TimeUnit.SECONDS)
    void everyRecordOnceAndNeverOverTheLimitInEveryScenario() throws Exception {
        long seed = Long.getLong("kata.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        int[] limits = {1, 2, 4, 7};
        for (int round = 1; round <= 8; round++) {
            int limit = limits[random.nextInt(limits.length)];
            int size = switch (round) {
                case 1 -> 0;
                case 2 -> 1;
                case 3 -> limit;
                case 4 -> limit + 1;
                case 5, 6 -> 3000;
                default -> 1 + random.nextInt(60);
            };
            boolean together = round == 6 || round >= 7 && random.nextBoolean();
            ScenarioService service = new ScenarioService(limit, random.nextBoolean());
            CodingBackfill backfill = new CodingBackfill(service);
            List<String> calls = together ? List.of("a", "b") : List.of("a");
            Map<String, List<String>> idsPerCall = new java.util.LinkedHashMap<>();
            for (String call : calls) {
                int count = call.equals("a") ? size : 1 + random.nextInt(200);
                List<String> ids = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    ids.add(call + round + "-" + i);
                }
                if (call.equals("a") && round >= 3) {
                    // Some records' ids are values an end-of-input marker might take: "" and the strings
                    // written in the learner's code. Records all the same.
                    List<Integer> at = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        at.add(i);
                    }
                    java.util.Collections.shuffle(at, random);
                    List<String> odd = oddIds();
                    for (int j = 0; j < Math.min(odd.size(), count); j++) {
                        ids.set(at.get(j), odd.get(j));
                        service.oddIdCalls.put(odd.get(j), call + round);
                    }
                }
                idsPerCall.put(call, ids);
                for (String id : ids) {
                    if (random.nextInt(8) == 0) {
                        service.failing.add(id);
                    }
                }
            }
            String scenario = "seed " + seed + ", round " + round + ": limit " + limit + ", "
                    + (together ? "two backfills at once on one CodingBackfill, " : "")
                    + idsPerCall.values().stream().map(l -> l.size() + " records").toList()
                    + ", " + service.failing.size() + " failing lookups (with an exception or an Error)"
                    + (service.uneven ? ", lookups of uneven length" : "")
                    + (service.oddIdCalls.isEmpty() ? "" : ", " + service.oddIdCalls.size() + " of call a's record ids"
                    + " being \"\" or another string written in your code");
            Map<String, Run> runs = new java.util.LinkedHashMap<>();
            for (String call : calls) {
                String prefix = call + round;
                runs.put(call, Run.start(backfill, idsPerCall.get(call), () -> service.inFlight(prefix)));
            }
            for (String call : calls) {
                Run run = runs.get(call);
                if (!awaitWhileLookupsGoOn(run, service)) {
                    throw Pitfalls.timeout(scenario + ". backfill() of call " + call + " had not returned, and no"
                            + " new lookup had started for " + STUCK_MS / 1000 + " s; " + service.calls.size()
                            + " records had been looked up, " + service.inFlight(call + round) + " of its lookups"
                            + " are in flight; it is " + Run.where(run.thread) + ".");
                }
                if (run.failure.get() != null) {
                    throw new AssertionError(scenario + ". backfill() of call " + call + " threw "
                            + run.failure.get(), run.failure.get());
                }
                int inFlightAtReturn = run.inFlightAtReturn;
                if (inFlightAtReturn > 0) {
                    throw Pitfalls.lostWork(scenario + ". backfill() of call " + call + " returned while "
                            + inFlightAtReturn + " of its lookups were still in flight. It must return only once "
                            + "every lookup has ended.");
                }
            }
            for (String call : calls) {
                String prefix = call + round;
                int peak = service.peak(prefix);
                if (peak > limit) {
                    throw Pitfalls.resourceLeak(scenario + ". Call " + call + " had " + peak + " lookups in"
                            + " flight at the same time; the service accepts " + limit + ".");
                }
                List<String> ids = idsPerCall.get(call);
                Map<String, String> codes = runs.get(call).result.get();
                if (codes == null) {
                    fail(scenario + ". backfill() of call " + call + " returned null.");
                }
                List<String> lookedUpTwice = new ArrayList<>();
                List<String> neverLookedUp = new ArrayList<>();
                for (String id : ids) {
                    int n = service.calls.getOrDefault(id, 0);
                    if (n == 0) {
                        neverLookedUp.add(shown(id));
                    } else if (n > 1) {
                        lookedUpTwice.add(shown(id) + " (" + n + " times)");
                    }
                }
                if (!neverLookedUp.isEmpty() || !lookedUpTwice.isEmpty()) {
                    throw Pitfalls.lostWork(scenario + ". Call " + call + ": every record must be looked up "
                            + "exactly once; " + neverLookedUp.size() + " never were"
                            + (neverLookedUp.isEmpty() ? "" : " (e.g. " + neverLookedUp.subList(0,
                                    Math.min(5, neverLookedUp.size())) + ")") + " and " + lookedUpTwice.size()
                            + " were more than once" + (lookedUpTwice.isEmpty() ? "" : " (e.g. "
                                    + lookedUpTwice.subList(0, Math.min(5, lookedUpTwice.size())) + ")") + ".");
                }
                Map<String, String> expected = new TreeMap<>();
                for (String id : ids) {
                    if (!service.failing.contains(id)) {
                        expected.put(id, CountingService.codeFor(id));
                    }
                }
                if (!new TreeMap<>(codes).equals(expected)) {
                    Set<String> extra = new java.util.TreeSet<>(codes.keySet());
                    extra.removeAll(expected.keySet());
                    Set<String> missing = new java.util.TreeSet<>(expected.keySet());
                    missing.removeAll(codes.keySet());
                    fail(scenario + ". The result of call " + call + " holds " + codes.size() + " codes; expected "
                            + expected.size() + " (every record whose lookup succeeded)"
                            + (missing.isEmpty() ? "" : "; missing e.g. " + missing.stream().limit(5).toList())
                            + (extra.isEmpty() ? "" : "; not expected: " + extra.stream().limit(5).toList())
                            + ".");
                }
            }
        }
    }

    /** A terminology service that counts lookups in flight per call (by record prefix). */
    static final class ScenarioService implements TerminologyService {
        private final int limit;
        final boolean uneven;
        final Set<String> failing = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> calls = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> peaks = new ConcurrentHashMap<>();

        ScenarioService(int limit, boolean uneven) {
            this.limit = limit;
            this.uneven = uneven;
        }

        /** Record ids drawn from the learner's code ({@link #oddIds}), by the call they belong to. */
        final Map<String, String> oddIdCalls = new ConcurrentHashMap<>();

        String callOf(String recordId) {
            String odd = oddIdCalls.get(recordId);
            return odd != null ? odd : recordId.substring(0, recordId.indexOf('-'));
        }

        int inFlight(String call) {
            AtomicInteger n = inFlight.get(call);
            return n == null ? 0 : n.get();
        }

        int peak(String call) {
            AtomicInteger n = peaks.get(call);
            return n == null ? 0 : n.get();
        }

        @Override
        public int maxConcurrentCalls() {
            return limit;
        }

        @Override
        public String lookup(String recordId) throws InterruptedException {
            calls.merge(recordId, 1, Integer::sum);
            String call = callOf(recordId);
            AtomicInteger now = inFlight.computeIfAbsent(call, k -> new AtomicInteger());
            int n = now.incrementAndGet();
            try {
                peaks.computeIfAbsent(call, k -> new AtomicInteger()).accumulateAndGet(n, Math::max);
                if (uneven && (recordId.hashCode() & 15) == 0) {
                    Thread.sleep(1);
                } else {
                    Thread.yield();
                }
                if (failing.contains(recordId)) {
                    if ((recordId.hashCode() & 1) == 0) {
                        throw new dev.kata.probe.api.InjectedFault("terminology client: no codec for " + recordId);
                    }
                    throw new IllegalStateException("terminology service: no code for " + recordId);
                }
                return CountingService.codeFor(recordId);
            } finally {
                now.decrementAndGet();
            }
        }
    }

    // ------------------------------------------------------------------ checks

    private static void expectCodes(Map<String, String> codes, List<String> ids, Set<String> unmapped,
            CountingService service) {
        expectCodes(codes, ids, unmapped, service.calls);
    }

    private static void expectCodes(Map<String, String> codes, List<String> ids, Set<String> unmapped,
            Map<String, Integer> calls) {
        if (codes == null) {
            fail("backfill() returned null instead of the codes it found");
        }
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!unmapped.contains(id) && !codes.containsKey(id)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            List<String> neverAsked = missing.stream().filter(id -> !calls.containsKey(id)).toList();
            throw Pitfalls.lostWork(missing.size() + " of " + ids.size() + " records came back without a code, "
                    + "although the service had one for them, e.g. " + missing.subList(0, Math.min(5, missing.size()))
                    + (neverAsked.isEmpty() ? ": each was looked up, but backfill() returned without its answer."
                    + " It must return only once every lookup has ended."
                    : neverAsked.size() == missing.size() ? ": none of them was ever looked up. Every record must be"
                    + " looked up, whatever happened to the lookups before it (a failed one, even with an Error,"
                    + " must not take its worker's remaining records with it)."
                    : ": " + neverAsked.size() + " of them were never looked up, the others were but backfill()"
                    + " returned without their answers."));
        }
        for (String id : ids) {
            String code = codes.get(id);
            if (unmapped.contains(id) && code != null) {
                fail("Record " + id + ": its lookup failed, yet the result maps it to " + code);
            }
            if (code != null && !code.equals(CountingService.codeFor(id))) {
                fail("Record " + id + " got the code " + code + " instead of " + CountingService.codeFor(id));
            }
        }
        if (codes.size() != ids.size() - unmapped.size()) {
            fail("The result holds " + codes.size() + " records; expected " + (ids.size() - unmapped.size()));
        }
        Map<String, Integer> repeated = new TreeMap<>();
        calls.forEach((id, n) -> {
            if (n > 1) {
                repeated.put(id, n);
            }
        });
        if (!repeated.isEmpty()) {
            fail("Some records were looked up more than once: " + repeated + ". One lookup per record is enough.");
        }
    }

    /**
     * Record ids an end-of-input marker might take: guesses, and the strings written in the learner's
     * CodingBackfill (the very literal objects: a constant in any code is that object), each once.
     */
    private static List<String> oddIds() {
        // distinct() keeps the first of equal texts: the literal object, not its copy
        return new ArrayList<>(dev.kata.probe.api.LearnerCode.markerTexts(CodingBackfill.class, Integer.MAX_VALUE,
                "", "EOF", "null", "-").stream().distinct().limit(40).toList());
    }

    /** A record id as a message shows it: quoted, with control characters escaped, unless it is a plain one. */
    private static String shown(String id) {
        if (id.matches("[A-Za-z0-9-]+")) {
            return id;
        }
        StringBuilder out = new StringBuilder("\"");
        id.chars().forEach(c -> out.append(c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.append('"').toString();
    }

    private static List<String> recordIds(String prefix, int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(String.format("%s%03d", prefix, i));
        }
        return ids;
    }

    // ------------------------------------------------------------------ the backfill, on a thread of its own

    static final class Run {
        final Thread thread;
        final AtomicReference<Map<String, String>> result = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        /** Lookups in flight the moment backfill() returned or threw (with a probe). */
        volatile int inFlightAtReturn;
        private final java.util.function.IntSupplier inFlightProbe;

        private Run(CodingBackfill backfill, List<String> ids, java.util.function.IntSupplier inFlightProbe) {
            this.inFlightProbe = inFlightProbe;
            thread = Thread.ofPlatform().name("nightly-backfill").unstarted(() -> {
                try {
                    result.set(backfill.backfill(ids));
                    if (inFlightProbe != null) {
                        inFlightAtReturn = inFlightProbe.getAsInt();
                    }
                } catch (Throwable t) {
                    if (inFlightProbe != null) {
                        inFlightAtReturn = inFlightProbe.getAsInt();
                    }
                    failure.set(t);
                } finally {
                    done.countDown();
                }
            });
        }

        static Run start(CodingBackfill backfill, List<String> ids) {
            return start(backfill, ids, null);
        }

        static Run start(CodingBackfill backfill, List<String> ids, java.util.function.IntSupplier inFlightProbe) {
            Run r = new Run(backfill, ids, inFlightProbe);
            r.thread.start();
            return r;
        }

        void rethrowFailure() {
            Throwable t = failure.get();
            if (t != null) {
                fail("backfill() threw " + t, t);
            }
        }

        Map<String, String> await(long millis) throws InterruptedException {
            if (!done.await(millis, TimeUnit.MILLISECONDS)) {
                throw Pitfalls.timeout("Every lookup was answered, but backfill() had not returned " + millis
                        + " ms later; it is " + where(thread) + ".");
            }
            rethrowFailure();
            return result.get();
        }

        static String where(Thread t) {
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().startsWith("boundedworkers.") && !f.getClassName().contains("Test")) {
                    return t.getState() + " at " + f.getFileName() + ":" + f.getLineNumber();
                }
            }
            return "in state " + t.getState();
        }
    }

    /**
     * The thread running the backfill is interrupted while lookups are held open: backfill()
     * must stop them, wait for them to end, and throw InterruptedException. Whether the caller was
     * waiting for a free slot (30 records) or for the last lookups to end (as many records as
     * slots, or fewer: every lookup already started).
     */
    @Test
    @Order(5)
    void anInterruptedBackfillStopsItsLookupsBeforeItThrows() throws Exception {
        for (int records : new int[] {30, LIMIT, LIMIT - 1}) {
            interruptWhileLookupsAreHeld(records);
        }
    }

    private static void interruptWhileLookupsAreHeld(int records) throws Exception {
        List<String> ids = recordIds("I-", records);
        int held = Math.min(records, LIMIT);
        String when = records > LIMIT
                ? "with " + records + " records to look up, " + held + " lookups held open (so backfill() was waiting"
                        + " for a free slot)"
                : "with " + records + " records to look up, all " + held + " lookups started and held open (so"
                        + " backfill() was waiting for them to end)";
        CountingService service = new CountingService(LIMIT, Set.of(), records, true);
        service.endsAfterInterruptMs = 300;
        Run run = Run.start(new CodingBackfill(service), ids, service.inFlight::get);
        try {
            if (!(records > LIMIT ? service.full : service.allIn).await(FILL_WAIT_MS, TimeUnit.MILLISECONDS)) {
                run.rethrowFailure();
                fail("With " + records + " records waiting, the backfill never had " + held + " lookups running at"
                        + " once within " + FILL_WAIT_MS + " ms (at most " + service.peak.get() + ").");
            }
            run.thread.interrupt();
            // Every slot is held by a lookup the test keeps open: none can free before the backfill
            // interrupts them, so a lookup that begins from now on was started after the interrupt.
            service.interruptSent = true;
            long wait = dev.kata.probe.api.Patience.millis(2000, 6000);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
            while (!run.done.await(2, TimeUnit.MILLISECONDS) && service.lateStart.getCount() > 0
                    && System.nanoTime() < deadline) {
                // until backfill() ends, or a lookup starts after the interrupt
            }
            if (!service.startedAfterInterrupt.isEmpty()) {
                int flagged = service.startedInterrupted.get();
                List<String> late = List.copyOf(service.startedAfterInterrupt);
                throw Pitfalls.leak("The thread running backfill() was interrupted " + when + ", and after that"
                        + " the backfill started " + late.size() + " more lookup" + (late.size() == 1 ? "" : "s")
                        + " (" + String.join(", ", late.subList(0, Math.min(5, late.size())))
                        + (late.size() > 5 ? ", ..." : "") + ")" + (flagged == 0 ? "" : flagged == late.size()
                                ? (flagged == 1 ? ", called" : ", each called") + " on a thread whose interrupt flag"
                                        + " was already set"
                                : ", " + flagged + " of them called on a thread whose interrupt flag was already set")
                        + "; backfill() "
                        + (run.done.getCount() == 0 ? "then " + (run.failure.get() == null ? "returned"
                                : "threw " + run.failure.get()) : "had not yet returned or thrown") + ". Once its"
                        + " caller is interrupted, a backfill interrupts the lookups in flight and starts no more:"
                        + " the records still waiting are left for tomorrow's run. Workers that take the next record"
                        + " must stop taking them when their backfill is called off (a stop flag of that backfill's"
                        + " own, or a pool's shutdownNow(), which drops the queued records).");
            }
            if (run.done.getCount() > 0) {
                throw Pitfalls.timeout("The thread running backfill() was interrupted " + when + ", and " + wait
                        + " ms later backfill() had neither returned nor thrown: it is " + Run.where(run.thread)
                        + ". A caller that gives up must not be kept waiting for the whole night's run: stop the"
                        + " lookups in flight (interrupt them), wait for them to end, and throw"
                        + " InterruptedException.");
            }
            int calledWhenItEnded = service.calls.size();
            Throwable thrown = run.failure.get();
            if (!(thrown instanceof InterruptedException)) {
                fail("The thread running backfill() was interrupted " + when + ", and backfill() "
                        + (thrown == null ? "returned normally" : "threw " + thrown) + ": a backfill whose caller is"
                        + " interrupted throws InterruptedException", thrown);
            }
            if (run.inFlightAtReturn > 0) {
                throw Pitfalls.leak("The thread running backfill() was interrupted " + when + ", and backfill()"
                        + " threw InterruptedException while " + run.inFlightAtReturn + " lookups it had started"
                        + " were still in flight (an interrupted lookup here takes 300 ms to end): nobody will read"
                        + " their answers. Before it throws, the backfill must interrupt the lookups in flight and"
                        + " wait until they have ended, however long that takes (a wait with a time limit gives up),"
                        + " wherever its thread was waiting when the interrupt came.");
            }
            Thread.sleep(100);
            if (service.calls.size() > calledWhenItEnded) {
                throw Pitfalls.leak("backfill() threw InterruptedException after its thread was interrupted (" + when
                        + "), but " + (service.calls.size() - calledWhenItEnded) + " more lookups started after"
                        + " that: the workers it left behind go on through the records.");
            }
        } finally {
            service.letGo();
            run.done.await(FINISH_WAIT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Two backfills on one CodingBackfill, the first one's caller interrupted while both have
     * lookups held: the interrupt stops the first backfill only; the second one still looks up
     * every one of its records.
     */
    @Test
    @Order(6)
    void interruptingOneBackfillLeavesTheOtherWhole() throws Exception {
        List<String> first = recordIds("A-", 30);
        List<String> second = recordIds("B-", 60);
        TwoCallsService service = new TwoCallsService(LIMIT);
        CodingBackfill backfill = new CodingBackfill(service);
        Run a = Run.start(backfill, first);
        Run b = null;
        try {
            if (!service.awaitInFlight("A", LIMIT, FILL_WAIT_MS)) {
                a.rethrowFailure();
                fail("With 30 records waiting, the backfill never had " + LIMIT + " lookups running at once"
                        + " within " + FILL_WAIT_MS + " ms.");
            }
            b = Run.start(backfill, second);
            // All of its slots in use, and its thread waiting for one to come back (none in flight if the
            // two backfills share one bound: the first one holds it all).
            if (service.awaitInFlight("B", LIMIT, 300)) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (b.thread.getState() == Thread.State.RUNNABLE && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
            }
            a.thread.interrupt();
            long wait = dev.kata.probe.api.Patience.millis(2000, 6000);
            if (!a.done.await(wait, TimeUnit.MILLISECONDS)) {
                throw Pitfalls.timeout("Two backfills ran on one CodingBackfill; the first one's thread was"
                        + " interrupted while its lookups were held open, and " + wait + " ms later that backfill"
                        + " had neither returned nor thrown: it is " + Run.where(a.thread) + ".");
            }
            int secondInFlight = service.inFlight("B");
            service.letGo("B");
            Map<String, String> codes;
            try {
                codes = b.await(FINISH_WAIT_MS);
            } catch (AssertionError e) {
                throw new AssertionError("Two backfills ran on one CodingBackfill, and the first one's thread was"
                        + " interrupted; the second one's caller was not. " + e.getMessage(), e.getCause());
            }
            List<String> neverLookedUp = second.stream().filter(id -> !service.calls.containsKey(id)).toList();
            if (codes == null || codes.size() != second.size() || !neverLookedUp.isEmpty()) {
                throw Pitfalls.lostWork("Two backfills ran on one CodingBackfill (" + first.size() + " and "
                        + second.size() + " records, " + LIMIT + " lookups at a time each); the first one's thread"
                        + " was interrupted while its lookups were held open, and the second one had "
                        + secondInFlight + " lookups in flight. Then the second one's lookups were answered, and it"
                        + " returned " + (codes == null ? "null" : codes.size() + " codes") + " for its "
                        + second.size() + " records" + (neverLookedUp.isEmpty() ? "" : ", " + neverLookedUp.size()
                                + " of them never looked up (e.g. " + neverLookedUp.subList(0,
                                        Math.min(5, neverLookedUp.size())) + ")") + ". An interrupt stops the"
                        + " backfill whose thread got it; a stop signal kept in a field of the CodingBackfill"
                        + " reaches every backfill running on it.");
            }
        } finally {
            service.letGo("A");
            service.letGo("B");
            a.thread.interrupt();
            a.done.await(FINISH_WAIT_MS, TimeUnit.MILLISECONDS);
            if (b != null) {
                b.done.await(FINISH_WAIT_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    // ------------------------------------------------------------------ the terminology service double

    /** Holds the first lookup it gets until the test lets it go; answers every other one at once. */
    static final class SlowFirstService implements TerminologyService {
        private final int limit;
        private final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final Map<String, Integer> calls = new ConcurrentHashMap<>();
        private final AtomicBoolean first = new AtomicBoolean(true);
        private final CountDownLatch gate = new CountDownLatch(1);
        volatile String slow = "the first record asked for";

        SlowFirstService(int limit) {
            this.limit = limit;
        }

        void letGo() {
            gate.countDown();
        }

        /** Waits until every lookup but the slow one has answered; false if that has not happened in time. */
        boolean allButTheSlowOneDone(int records, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (done.get() < records - 1) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(2);
            }
            return true;
        }

        @Override
        public int maxConcurrentCalls() {
            return limit;
        }

        @Override
        public String lookup(String recordId) throws InterruptedException {
            calls.merge(recordId, 1, Integer::sum);
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                if (first.compareAndSet(true, false)) {
                    slow = recordId;
                    gate.await();
                } else {
                    done.incrementAndGet();
                }
                return CountingService.codeFor(recordId);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /** Holds every lookup of a call (the records of one backfill: "A-..." or "B-...") until that call is let go. */
    static final class TwoCallsService implements TerminologyService {
        private final int limit;
        final Map<String, Integer> calls = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

        TwoCallsService(int limit) {
            this.limit = limit;
        }

        int inFlight(String call) {
            return inFlight.computeIfAbsent(call, k -> new AtomicInteger()).get();
        }

        boolean awaitInFlight(String call, int n, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (inFlight(call) < n) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(2);
            }
            return true;
        }

        void letGo(String call) {
            gates.computeIfAbsent(call, k -> new CountDownLatch(1)).countDown();
        }

        @Override
        public int maxConcurrentCalls() {
            return limit;
        }

        @Override
        public String lookup(String recordId) throws InterruptedException {
            calls.merge(recordId, 1, Integer::sum);
            String call = recordId.substring(0, recordId.indexOf('-'));
            AtomicInteger now = inFlight.computeIfAbsent(call, k -> new AtomicInteger());
            now.incrementAndGet();
            try {
                if (!gates.computeIfAbsent(call, k -> new CountDownLatch(1)).await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("hidden test: lookup never let go");
                }
                return CountingService.codeFor(recordId);
            } finally {
                now.decrementAndGet();
            }
        }
    }

    static final class CountingService implements TerminologyService {
        /** Records whose lookup ends with an Error, as a client library that cannot load a class does. */
        static final Set<String> BROKEN_CLIENT = Set.of("F-003", "F-011", "F-019", "F-027");
        private final int limit;
        private final Set<String> unmapped;
        private final int expectedCalls;
        private final boolean holding;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final Map<String, Integer> calls = new ConcurrentHashMap<>();
        /** Counted down when LIMIT lookups are in flight at once. */
        final CountDownLatch full = new CountDownLatch(1);
        /** Counted down when more than LIMIT are. */
        final CountDownLatch over = new CountDownLatch(1);
        /** Counted down when every record's lookup is in flight at once. */
        final CountDownLatch allIn = new CountDownLatch(1);
        /**
         * Completed when the test lets the lookups go. A CompletableFuture, as a blocking HTTP client
         * waits on one (java.net.http's send): in a ForkJoinPool's thread such a wait makes the pool
         * start another thread, which takes the next record, so a ForkJoinPool of N threads is no bound.
         */
        private final java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();

        CountingService(int limit, Set<String> unmapped, int expectedCalls, boolean holding) {
            this.limit = limit;
            this.unmapped = unmapped;
            this.expectedCalls = expectedCalls;
            this.holding = holding;
        }

        static String codeFor(String id) {
            return "ICD-" + id;
        }

        void letGo() {
            gate.complete(null);
        }

        /**
         * How long an interrupted lookup takes to end (its answer already on the way, say): longer than
         * any wait of the learner's with a time limit, which the tests shorten to 60 ms at most.
         */
        volatile long endsAfterInterruptMs;

        private void endAfterInterrupt() {
            dev.kata.probe.api.Uninterruptible.sleep(endsAfterInterruptMs); // still ending, interrupted again or not
        }

        /**
         * Set by the test just after it interrupts the thread running backfill(), while every slot is
         * held open: the lookups that begin from then on were started after the interrupt.
         */
        volatile boolean interruptSent;
        final List<String> startedAfterInterrupt = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** How many of those were called on a thread whose interrupt flag was already set. */
        final AtomicInteger startedInterrupted = new AtomicInteger();
        /** Counted down when the first lookup starts after the interrupt. */
        final CountDownLatch lateStart = new CountDownLatch(1);

        /** Whether {@code t} is inside a lookup of this double. */
        static boolean inLookup(Thread t) {
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().equals(CountingService.class.getName())) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public int maxConcurrentCalls() {
            return limit;
        }

        @Override
        public String lookup(String recordId) throws InterruptedException {
            if (interruptSent) {
                boolean flagSet = Thread.currentThread().isInterrupted();
                startedAfterInterrupt.add(recordId);
                if (flagSet) {
                    startedInterrupted.incrementAndGet(); // after the add: never more than the list holds
                }
                lateStart.countDown();
            }
            calls.merge(recordId, 1, Integer::sum);
            int now = inFlight.incrementAndGet();
            try {
                peak.accumulateAndGet(now, Math::max);
                if (now >= limit) {
                    full.countDown();
                }
                if (now > limit) {
                    over.countDown();
                }
                if (now >= expectedCalls) {
                    allIn.countDown();
                }
                if (holding) {
                    try {
                        gate.get(); // the network round trip, as long as the test wants it to be
                    } catch (InterruptedException e) {
                        endAfterInterrupt();
                        throw e;
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException(e); // never: the gate is only completed normally
                    }
                }
                if (BROKEN_CLIENT.contains(recordId)) {
                    throw new dev.kata.probe.api.InjectedFault("terminology client: could not load the codec for "
                            + recordId);
                }
                if (unmapped.contains(recordId)) {
                    throw new IllegalStateException("terminology service: no code for the diagnosis of " + recordId);
                }
                return codeFor(recordId);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /** A backfill that starts no new lookup for this long is stuck, however busy the machine. */
    private static final long STUCK_MS = 2000;

    /**
     * Waits for the run to return while lookups keep starting: a slow machine makes a long
     * backfill slow, not stuck. False once no lookup has started for {@link #STUCK_MS}.
     */
    private static boolean awaitWhileLookupsGoOn(Run run, ScenarioService service) throws InterruptedException {
        int seen = service.calls.size();
        while (!run.done.await(STUCK_MS, TimeUnit.MILLISECONDS)) {
            int now = service.calls.size();
            if (now == seen) {
                return false;
            }
            seen = now;
        }
        return true;
    }
}
