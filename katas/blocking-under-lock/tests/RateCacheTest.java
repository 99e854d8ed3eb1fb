package blockingunderlock;

import static org.junit.jupiter.api.Assertions.fail;

import blockingunderlock.RateCache.RateSource;
import blockingunderlock.RateCache.Snapshot;
import dev.kata.probe.api.Pitfalls;
import dev.kata.probe.api.RaceDetector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.math.BigDecimal;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the blocking-under-lock kata. The rate service double can hold a fetch until
 * the test releases it, the way a remote call hangs on a slow server, or make it fail in each of
 * the ways a remote call fails; while it hangs, checkouts (and an operator's refresh) must still
 * get through at once, and after it fails, the cache must work as before. The interleavings of two
 * refreshes finishing together are model-checked in {@link RateCacheInterleavingsTest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateCacheTest {

    /** A call that should not wait at all, seen parked (waiting, timed or not, or blocked) this long in all, is stuck. */
    private static final long STUCK_MS = 20;
    /** Longest the test waits for anything that should happen at once. */
    private static final long WAIT_MS = 1000;
    /** Reads each checkout makes while a refresh hangs: a short wait at each of them adds up. */
    private static final int READS_PER_CHECKOUT = 20;

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void checkoutsReadTheCachedRatesWhileARefreshWaitsForTheRateService() throws Exception {
        ScriptedSource source = new ScriptedSource();
        RateCache cache = new RateCache(source);
        cache.refresh(); // version 1, at once

        Gate slow = source.holdNextFetch();
        Call refresh = Call.start("scheduled-refresh", cache::refresh);
        try {
            awaitEntered(slow, "refresh()");
            // The rate service is hanging now. Checkouts keep coming, each converting a basket.
            List<Call> checkouts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                checkouts.add(Call.start("checkout-" + i, () -> readRates(cache, READS_PER_CHECKOUT)));
            }
            for (Call checkout : checkouts) {
                Progress p = checkout.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS));
                if (p != Progress.RETURNED) {
                    throw Pitfalls.timeout(checkout.name() + " read the EUR and GBP rates " + READS_PER_CHECKOUT
                            + " times while a refresh was waiting for the rate service, and it did not get through:"
                            + " it has waited " + STUCK_MS + " ms or more and is " + checkout.where() + ". The rates it"
                            + " needs (EUR " + eurOf(1) + ", GBP " + gbpOf(1) + ") have been in the cache all along;"
                            + " it waits because the refresh holds a lock it needs for as long as the remote call"
                            + " takes. A rate service that hangs for 30 s then hangs every checkout for 30 s. Make"
                            + " the remote call with no lock held; take the lock only to swap in the new snapshot.");
                }
                if (checkout.failure != null) {
                    fail(checkout.name() + ": rate(...) threw " + checkout.failure
                            + " while a refresh was waiting for the rate service", checkout.failure);
                }
                List<?> got = (List<?>) checkout.result;
                for (int r = 0; r < got.size(); r++) {
                    String currency = r % 2 == 0 ? "EUR" : "GBP";
                    Optional<BigDecimal> expected = Optional.of(r % 2 == 0 ? eurOf(1) : gbpOf(1));
                    if (Optional.empty().equals(got.get(r))) {
                        fail(checkout.name() + " asked for the " + currency + " rate (read " + (r + 1) + " of "
                                + got.size() + ") while a refresh was waiting for the rate service, and got"
                                + " Optional.empty instead of the cached " + expected.get() + ". The rate service had"
                                + " not answered yet, so the cache had nothing new to show: the old rates must stay"
                                + " readable until the new ones have arrived.");
                    }
                    if (!expected.equals(got.get(r))) {
                        fail(checkout.name() + " asked for the " + currency + " rate (read " + (r + 1) + ") while a"
                                + " refresh was waiting for the rate service, and got " + got.get(r) + " instead of"
                                + " the cached " + expected);
                    }
                }
            }
        } finally {
            slow.release();
        }

        awaitRefresh(refresh, "The rate service answered, but the scheduled refresh() never finished");
        Object[] after = (Object[]) read("checkout-4", cache, () -> new Object[] {cache.version(), cache.rate("EUR")});
        if (!Long.valueOf(2).equals(after[0]) || !Optional.of(eurOf(2)).equals(after[1])) {
            fail("the slow refresh fetched version 2 and returned, yet a checkout that came afterwards saw version "
                    + after[0] + " with EUR rate " + after[1] + " (expected version 2, EUR " + eurOf(2) + ")");
        }
    }

    @Test
    @Order(2)
    void aSlowRefreshNeverReplacesNewerRatesWithOlderOnes() throws Exception {
        ScriptedSource source = new ScriptedSource();
        RateCache cache = new RateCache(source);
        cache.refresh(); // version 1

        Gate slow = source.holdNextFetch();
        Call first = Call.start("scheduled-refresh", cache::refresh); // fetches version 2, slowly
        Call second;
        try {
            awaitEntered(slow, "refresh()");
            second = Call.start("operator-refresh", cache::refresh); // fetches version 3, at once
            if (second.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS)) != Progress.RETURNED) {
                throw Pitfalls.timeout("An operator started a refresh while the scheduled refresh was waiting for"
                        + " the rate service. The rate service answers the operator at once, yet the operator's"
                        + " refresh() did not finish: " + (source.newestDelivered() >= 3
                                ? "it had fetched version 3 and "
                                : "it had not fetched anything yet and ")
                        + "is " + second.where() + ". A refresh must not wait for another one's remote call: while"
                        + " the scheduled one hangs, nobody could load the rates after a big market move. Hold no"
                        + " lock (of any kind) across the remote call.");
            }
            if (second.failure != null) {
                fail("the operator's refresh() threw " + second.failure, second.failure);
            }
            Object seen = read("checkout-1", cache, cache::version);
            if (!Long.valueOf(3).equals(seen)) {
                fail("While the scheduled refresh was still waiting for the rate service, the operator's refresh"
                        + " fetched version " + source.newestDelivered() + " and returned, yet a checkout then saw"
                        + " version " + seen + ": the operator's refresh must store its newer rates at once.");
            }
        } finally {
            slow.release();
        }
        awaitRefresh(first, "Two overlapping refreshes: the scheduled one has not finished after the rate service"
                + " answered it");
        Object[] after = (Object[]) read("checkout-2", cache, () -> new Object[] {cache.version(), cache.rate("EUR")});
        long version = (Long) after[0];
        if (version < 3) {
            throw Pitfalls.race("Two refreshes overlapped. The scheduled one started first and fetched rates version"
                    + " 2, slowly; meanwhile the operator's refresh fetched version 3, and checkouts saw version 3."
                    + " Then the slow one finished, and the cache now holds version " + version + ": it went back in"
                    + " time, and checkouts use older rates than it already had. Once the remote call is made outside"
                    + " the lock, a refresh that started first can finish last: store a snapshot only if it is newer"
                    + " than the one in the cache.");
        }
        if (!Optional.of(eurOf(version)).equals(after[1])) {
            fail("the cache holds version " + version + " but its EUR rate is " + after[1] + ", not "
                    + eurOf(version) + ": the rate must be the one of the cached version");
        }
    }

    @Test
    @Order(5)
    void aRefreshThatGetsAnOlderPublicationKeepsTheNewerRates() throws Exception {
        ScriptedSource source = new ScriptedSource();
        RateCache cache = new RateCache(source);
        for (int i = 0; i < 3; i++) {
            cache.refresh(); // versions 1 to 3
        }
        source.answerNextWith(2); // a lagging replica of the rate service answers with an older publication
        Call refresh = Call.start("scheduled-refresh", cache::refresh);
        awaitRefresh(refresh, "The rate service answered version 2 at once, but refresh() never finished");
        Object[] after = (Object[]) read("checkout-1", cache, () -> new Object[] {cache.version(), cache.rate("EUR")});
        if (!Long.valueOf(3).equals(after[0]) || !Optional.of(eurOf(3)).equals(after[1])) {
            throw Pitfalls.race("The cache held version 3. The next refresh, with no other one running, got version 2"
                    + " from the rate service (a lagging replica answering with an older publication), and a checkout"
                    + " then saw version " + after[0] + " with EUR rate " + ((Optional<?>) after[1]).map(String::valueOf).orElse("none")
                    + ": the cache went back to older rates. Store a snapshot only if its version is larger than"
                    + " the cached one's, whatever order the refreshes ran in.");
        }
        versionsFarApartCompareAsNumbers();
    }

    /**
     * "A larger version is newer" holds over the whole range of long: versions so far apart that
     * their difference overflows (a comparison written as {@code a - b > 0}, the idiom for
     * {@code System.nanoTime()}, gets them backwards).
     */
    private static void versionsFarApartCompareAsNumbers() throws Exception {
        long[] answers = {Long.MAX_VALUE - 1, -5};
        AtomicLong fetches = new AtomicLong();
        RateCache cache = new RateCache(() -> {
            long version = answers[(int) Math.min(fetches.getAndIncrement(), answers.length - 1)];
            return new Snapshot(version, Map.of("EUR", version < 0 ? new BigDecimal("0.5") : new BigDecimal("0.9"),
                    "GBP", new BigDecimal("0.8")));
        });
        cache.refresh();
        cache.refresh();
        long version = cache.version();
        if (version != Long.MAX_VALUE - 1) {
            throw Pitfalls.race("The cache held version " + (Long.MAX_VALUE - 1) + " (Long.MAX_VALUE - 1). The next"
                    + " refresh got version -5 from the rate service, and the cache now holds version " + version
                    + ": -5 is the smaller version, so the older one. Compare versions as numbers"
                    + " (latest > current): a difference of two versions this far apart overflows.");
        }
    }

    /** How the rate service fails, in a scenario of {@link #aFailedRefreshKeepsTheRatesAndTheCacheWorking}. */
    enum Failure {
        CHECKED("throws IOException (503 Service Unavailable)"),
        UNCHECKED("throws UncheckedIOException (connection reset)"),
        ERROR("throws an Error (ServiceConfigurationError: no decoder for the response)"),
        NULL_ANSWER("answers null instead of a snapshot"),
        INTERRUPTED("hangs, and the refreshing thread is interrupted while it waits");

        final String text;

        Failure(String text) {
            this.text = text;
        }
    }

    @Test
    @Order(3)
    void aFailedRefreshKeepsTheRatesAndTheCacheWorking() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Object[]> scenarios = new ArrayList<>();
        for (Failure failure : Failure.values()) {
            for (int goodBefore = 0; goodBefore <= 2; goodBefore++) {
                scenarios.add(new Object[] {failure, goodBefore});
            }
        }
        // The same failures while an operator's refresh, on another thread, stores newer rates: the
        // failed refresh must not take the cache back to what it held when it started.
        for (Failure failure : Failure.values()) {
            scenarios.add(new Object[] {failure, random.nextInt(3), true});
        }
        Collections.shuffle(scenarios, random);
        for (Object[] s : scenarios) {
            Failure failure = (Failure) s[0];
            int goodBefore = (Integer) s[1];
            boolean overlapped = s.length > 2;
            int checkouts = 1 + random.nextInt(3);
            String scenario = "seed " + seed + ", scenario: " + goodBefore + " good refresh(es), then the rate service "
                    + (overlapped ? "holds a refresh, an operator's refresh on another thread stores newer rates"
                            + " meanwhile, and then the held one " : "") + failure.text + "; then " + checkouts
                    + " checkout(s) and a refresh, each on a thread of its own";
            failedRefreshScenario(scenario, failure, goodBefore, checkouts, overlapped);
        }
    }

    private static void failedRefreshScenario(String scenario, Failure failure, int goodBefore, int checkouts,
            boolean overlapped) throws Exception {
        ScriptedSource source = new ScriptedSource();
        RateCache cache = new RateCache(source);
        for (int i = 0; i < goodBefore; i++) {
            cache.refresh();
        }
        long version = goodBefore;
        Optional<BigDecimal> eur = version == 0 ? Optional.empty() : Optional.of(eurOf(version));

        Throwable thrownByService = null;
        Gate hang = null;
        switch (failure) {
            case CHECKED -> thrownByService = new IOException("rate service answered 503 Service Unavailable");
            case UNCHECKED -> thrownByService = new UncheckedIOException("reading the rates",
                    new SocketException("Connection reset"));
            case ERROR -> thrownByService = new ServiceConfigurationError("no rate decoder for content type text/html");
            case NULL_ANSWER -> source.answerNullNext();
            case INTERRUPTED -> hang = source.holdNextFetch();
        }
        if (thrownByService != null) {
            source.failNextFetch(thrownByService);
        }
        if (overlapped && hang == null) {
            hang = source.holdNextFetch(); // held, then it fails as above once let go
        }
        Call failing = Call.start("failing-refresh", cache::refresh);
        try {
            if (hang != null) {
                awaitEntered(hang, "refresh() [" + scenario + "]");
                if (overlapped) {
                    Call operator = Call.start("operator-refresh", cache::refresh);
                    if (operator.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS)) != Progress.RETURNED
                            || operator.failure != null) {
                        fail("[" + scenario + "] while the failing refresh waited for the rate service, an operator's"
                                + " refresh on another thread (answered at once) " + (operator.failure == null
                                        ? "did not return: it is " + operator.where(failing) : "threw " + operator.failure)
                                + ".", operator.failure);
                    }
                    version = source.newestDelivered();
                    eur = Optional.of(eurOf(version));
                }
                if (failure == Failure.INTERRUPTED) {
                    failing.thread.interrupt();
                } else {
                    hang.release();
                }
            }
            if (failing.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS)) != Progress.RETURNED) {
                throw Pitfalls.timeout("[" + scenario + "] the failing refresh() did not return: it is "
                        + failing.where() + ".");
            }
        } finally {
            if (hang != null) {
                hang.release();
            }
        }
        Throwable thrown = failing.failure;
        switch (failure) {
            case CHECKED, UNCHECKED, ERROR -> {
                if (thrown != thrownByService) {
                    fail("[" + scenario + "] refresh() must throw the rate service's failure itself to its caller ("
                            + thrownByService + "), but it " + (thrown == null ? "returned normally" : "threw " + thrown
                            + (causedBy(thrown, thrownByService) ? ", a wrapper around it" : ""))
                            + (thrown == null ? ": the scheduler would never learn that the rates are not fresh." : "."),
                            thrown);
                }
            }
            case NULL_ANSWER -> {
                if (thrown == null) {
                    fail("[" + scenario + "] the rate service answered null, and refresh() returned normally: the"
                            + " caller must learn that the refresh failed (any exception will do, a"
                            + " NullPointerException included).");
                }
            }
            case INTERRUPTED -> {
                if (!(thrown instanceof InterruptedException)) {
                    fail("[" + scenario + "] the refreshing thread was interrupted while it waited for the rate"
                            + " service; refresh() must throw InterruptedException, but it "
                            + (thrown == null ? "returned normally" : "threw " + thrown), thrown);
                }
            }
        }

        // The failed refresh has returned. Checkouts on other threads must read the old rates at once.
        for (int i = 1; i <= checkouts; i++) {
            Call checkout = Call.start("checkout-" + i, () -> new Object[] {cache.version(), cache.rate("EUR")});
            if (checkout.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS)) != Progress.RETURNED) {
                throw Pitfalls.deadlock("[" + scenario + "] after the failed refresh had returned, "
                        + checkout.name() + " could not read the rates: it is " + checkout.where(failing)
                        + ". No refresh is running any more, so the lock it waits for was left held by the failed"
                        + " refresh: a lock taken must be released however the code after it ends (try/finally).");
            }
            Object[] seen = (Object[]) checkout.result;
            if (checkout.failure != null || !Long.valueOf(version).equals(seen[0]) || !eur.equals(seen[1])) {
                fail("[" + scenario + "] a failed refresh must leave the cached rates as they were (version " + version
                        + ", EUR " + eur + (overlapped ? ", stored by the operator's refresh while the failing one"
                                + " waited: the cache never goes back to older rates" : "") + "), but "
                        + checkout.name() + " then "
                        + (checkout.failure != null ? "got " + checkout.failure
                                : "saw version " + seen[0] + " with EUR " + seen[1]), checkout.failure);
            }
        }

        // The next refresh, on another thread, must work.
        Call next = Call.start("next-refresh", cache::refresh);
        if (next.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS)) != Progress.RETURNED) {
            throw Pitfalls.deadlock("[" + scenario + "] after the failed refresh had returned, the next refresh() (the"
                    + " rate service answering at once) did not finish: it is " + next.where(failing) + ". No other"
                    + " refresh is running, so the lock it waits for was left held by the failed one: a lock taken"
                    + " must be released however the code after it ends (try/finally).");
        }
        if (next.failure != null) {
            fail("[" + scenario + "] the refresh after the failed one threw " + next.failure, next.failure);
        }
        long newest = source.newestDelivered();
        Object[] after = (Object[]) read("checkout-after", cache, () -> new Object[] {cache.version(), cache.rate("EUR")});
        if (!Long.valueOf(newest).equals(after[0]) || !Optional.of(eurOf(newest)).equals(after[1])) {
            fail("[" + scenario + "] the refresh after the failed one fetched version " + newest + " and returned,"
                    + " yet a checkout then saw version " + after[0] + " with EUR " + after[1]);
        }
    }

    @Test
    @Order(4)
    void aCheckoutThatKeepsAskingSeesTheNewRatesOnceARefreshReturns() throws Exception {
        // The checkout's loop below runs compiled, as a busy service's code does; a value read from a plain
        // field may then be read once and kept, unless something orders the read after the refresh's write.
        RateCache warm = new RateCache(new ScriptedSource());
        warm.refresh();
        long warmUntil = deadlineIn(15);
        for (int i = 0; i < 3000 || System.nanoTime() < warmUntil; i++) {
            askUntil(warm, 1, Long.MAX_VALUE);
            if (i % 1000 == 999) {
                Thread.sleep(1); // lets the compiler thread run, on a machine with one core
            }
        }
        for (int round = 1; round <= 3; round++) {
            ScriptedSource source = new ScriptedSource();
            RateCache cache = new RateCache(source);
            cache.refresh(); // version 1
            CountDownLatch asking = new CountDownLatch(2);
            long askMs = 200;
            long[] askDeadline = new long[2];
            // Only the cache may order these threads' reads after the refresh's writes: a read that nothing
            // in it orders is then seen by the race detector however late it comes.
            Call checkout = Call.start("checkout-loop", () -> {
                RaceDetector.isolateCurrentThread();
                askDeadline[0] = deadlineIn(askMs);
                asking.countDown();
                return askUntil(cache, 2, askDeadline[0]);
            });
            Call rates = Call.start("checkout-rates-loop", () -> {
                RaceDetector.isolateCurrentThread();
                askDeadline[1] = deadlineIn(askMs);
                asking.countDown();
                return rateUntil(cache, Optional.of(eurOf(2)), askDeadline[1]);
            });
            if (!asking.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                fail("the checkout threads did not start within " + WAIT_MS + " ms");
            }
            Thread.sleep(2);
            Call refresh = Call.start("scheduled-refresh", cache::refresh);
            // It may wait for the checkouts' read locks a moment; on a busy machine that moment can be long.
            awaitRefresh(refresh, 500, "[round " + round + "] a refresh (the rate service answering at once) did not"
                    + " finish while checkouts kept asking for the version and the rates");
            long refreshedAt = System.nanoTime();
            for (Call call : List.of(checkout, rates)) {
                // A read may wait a moment for a lock that a swap holds, and on a busy machine the swapping
                // thread may be off its core meanwhile: only a long wait counts as stuck here.
                long stuckMs = dev.kata.probe.api.Patience.millis(200, 2000);
                Progress progress = call.awaitReturnedOrStuck(stuckMs, deadlineIn(askMs + WAIT_MS));
                if (progress == Progress.STUCK) {
                    throw Pitfalls.timeout("[round " + round + "] a checkout asking the cache in a loop got stuck: it"
                            + " has waited " + stuckMs + " ms or more and is " + call.where() + ".");
                }
                if (progress == Progress.RUNNING) {
                    throw Pitfalls.timeout("[round " + round + "] a checkout asking the cache in a loop for " + askMs
                            + " ms had not returned " + WAIT_MS + " ms after that, although it was given time to run"
                            + " on a busy machine: it is " + call.where() + ".");
                }
                if (call.failure != null) {
                    fail("[round " + round + "] " + (call == checkout ? "version()" : "rate(\"EUR\")") + " threw "
                            + call.failure, call.failure);
                }
            }
            if (refresh.failure == null) {
                Object stored = read("checkout-after-the-refresh", cache, cache::version);
                if (!Long.valueOf(2).equals(stored)) {
                    fail("[round " + round + "] while checkouts kept asking, a refresh fetched version 2 and returned"
                            + " normally, yet a checkout started on another thread after it had returned read version "
                            + stored + ": the refresh did not store the rates it fetched. A refresh that returns"
                            + " normally has stored them, however busy the checkouts keep the cache.");
                }
            }
            long seen = (Long) checkout.result;
            long lateMs = TimeUnit.NANOSECONDS.toMillis(askDeadline[0] - refreshedAt);
            if (seen < 2 && lateMs >= 50) {
                throw Pitfalls.race("[round " + round + "] a checkout thread kept asking for the cache's version in a"
                        + " loop. A refresh on another thread stored version 2 and returned; " + lateMs + " ms later"
                        + " the checkout still read version " + seen + ", and it never saw version 2. A read ordered after"
                        + " the refresh's write (under the read lock, or of a volatile field) would have seen it; this"
                        + " one was not, and the compiled loop kept the snapshot it had read before. Checkouts must see"
                        + " the new rates once a refresh has returned: read the snapshot under the read lock, or publish"
                        + " it through a volatile field.");
            }
            Object eur = rates.result;
            long rateLateMs = TimeUnit.NANOSECONDS.toMillis(askDeadline[1] - refreshedAt);
            if (!Optional.of(eurOf(2)).equals(eur) && rateLateMs >= 50) {
                throw Pitfalls.race("[round " + round + "] a checkout thread kept asking for the EUR rate in a loop. A"
                        + " refresh on another thread stored version 2 (EUR " + eurOf(2) + ") and returned; " + rateLateMs
                        + " ms later the checkout still read EUR " + eur + ". A read ordered after the refresh's write"
                        + " (under the read lock, or of a volatile field) would have seen it. Checkouts must see the new"
                        + " rates once a refresh has returned.");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A checkout that keeps asking: reads the version until it reaches {@code target} or the clock passes
     * {@code deadline}, and returns the last version read (read after the last look at the clock).
     */
    private static long askUntil(RateCache cache, long target, long deadline) {
        long version;
        long now;
        do {
            now = System.nanoTime();
            version = cache.version();
        } while (version < target && now < deadline);
        return version;
    }

    /**
     * A checkout that keeps asking for the EUR rate until it is {@code wanted} or the clock passes
     * {@code deadline}; returns the last rate read.
     */
    private static Optional<BigDecimal> rateUntil(RateCache cache, Optional<BigDecimal> wanted, long deadline) {
        Optional<BigDecimal> eur;
        long now;
        do {
            now = System.nanoTime();
            eur = cache.rate("EUR");
        } while (!wanted.equals(eur) && now < deadline);
        return eur;
    }

    /** One checkout converting a basket: the EUR and GBP rates, alternately, {@code reads} times. */
    private static List<Optional<BigDecimal>> readRates(RateCache cache, int reads) {
        List<Optional<BigDecimal>> got = new ArrayList<>(reads);
        for (int r = 0; r < reads; r++) {
            got.add(cache.rate(r % 2 == 0 ? "EUR" : "GBP"));
        }
        return got;
    }

    /** Reads from the cache on a thread of its own, which must get through at once. */
    private static Object read(String name, RateCache cache, Action action) throws InterruptedException {
        Call call = Call.start(name, action);
        if (call.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS)) != Progress.RETURNED) {
            throw Pitfalls.timeout(call.name() + " could not read the cache, with no refresh waiting for the rate"
                    + " service: it is " + call.where() + ".");
        }
        if (call.failure != null) {
            fail(call.name() + " reading the cache threw " + call.failure, call.failure);
        }
        return call.result;
    }

    private static void awaitEntered(Gate gate, String who) throws InterruptedException {
        if (!gate.entered.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
            fail(who + " did not call the rate service within " + WAIT_MS + " ms");
        }
    }

    private static void awaitRefresh(Call refresh, String what) throws InterruptedException {
        awaitRefresh(refresh, 50, what);
    }

    private static void awaitRefresh(Call refresh, long stuckMs, String what) throws InterruptedException {
        if (refresh.awaitReturnedOrStuck(stuckMs, deadlineIn(WAIT_MS)) != Progress.RETURNED) {
            String where = refresh.where();
            throw Pitfalls.deadlock(what + ": it is " + where + "." + (where.contains("WriteLock")
                    ? " No checkout holds the read lock now, so if that thread took the read lock itself, it waits"
                            + " for itself, forever: a ReentrantReadWriteLock cannot be upgraded."
                    : ""));
        }
        if (refresh.failure != null) {
            fail(refresh.name() + ": refresh() threw " + refresh.failure, refresh.failure);
        }
    }

    private static boolean causedBy(Throwable thrown, Throwable cause) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t == cause) {
                return true;
            }
        }
        return false;
    }

    private static BigDecimal eurOf(long version) {
        return new BigDecimal("1.0800").add(BigDecimal.valueOf(version, 4));
    }

    private static BigDecimal gbpOf(long version) {
        return new BigDecimal("0.8500").add(BigDecimal.valueOf(version, 4));
    }

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    enum Progress { RETURNED, STUCK, RUNNING }

    interface Action {
        Object run() throws Exception;
    }

    interface VoidAction {
        void run() throws Exception;
    }

    /** A call made on a platform thread of its own, with its result or what it threw. */
    static final class Call {
        final Thread thread;
        volatile Object result;
        volatile Throwable failure;

        private Call(String name, Action action) {
            thread = Thread.ofPlatform().name(name).unstarted(() -> {
                try {
                    result = action.run();
                } catch (Throwable t) {
                    failure = t;
                }
            });
        }

        static Call start(String name, Action action) {
            Call call = new Call(name, action);
            call.thread.start();
            return call;
        }

        static Call start(String name, VoidAction action) {
            return start(name, () -> {
                action.run();
                return null;
            });
        }

        String name() {
            return "\"" + thread.getName() + "\"";
        }

        /**
         * Waits until the call returns, or has been seen parked (waiting, with or without a timeout, or
         * blocked) for {@code stuckMs} in all: a call that should not wait at all is stuck then. A
         * thread still in a fetch the test has released is on its way out, not parked: on a busy
         * machine it reads WAITING until the scheduler runs it.
         */
        Progress awaitReturnedOrStuck(long stuckMs, long deadline) throws InterruptedException {
            long parked = 0;
            long lastLook = 0;
            boolean wasParked = false;
            // A thread that is running when the deadline comes may only be short of a core on a busy
            // machine: it gets longer, the more so the busier the machine.
            long runningDeadline = deadline
                    + TimeUnit.MILLISECONDS.toNanos(dev.kata.probe.api.Patience.millis(WAIT_MS, 10_000));
            while (true) {
                Thread.State state = thread.getState();
                boolean leavingGate = Gate.LEAVING.contains(thread);
                long now = System.nanoTime();
                boolean running = state == Thread.State.RUNNABLE || leavingGate;
                if (now >= deadline && (!running || now >= runningDeadline)) {
                    break;
                }
                if (state == Thread.State.TERMINATED) {
                    return Progress.RETURNED;
                }
                boolean isParked = !leavingGate && (state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED);
                if (isParked && wasParked) {
                    parked += now - lastLook;
                    if (parked >= TimeUnit.MILLISECONDS.toNanos(stuckMs)) {
                        return Progress.STUCK;
                    }
                }
                wasParked = isParked;
                lastLook = now;
                thread.join(0, 200_000);
            }
            return thread.isAlive() ? Progress.RUNNING : Progress.RETURNED;
        }

        String where() {
            return where(null);
        }

        /**
         * Where the thread is, in the learner's terms: the call it waits in, the line, the lock's holder
         * ({@code ended}: a call whose thread has ended, named as such if it holds the lock).
         */
        String where(Call ended) {
            StackTraceElement[] stack = thread.getStackTrace();
            Thread.State state = thread.getState();
            String at = null;
            String in = null;
            for (int i = 0; i < stack.length; i++) {
                StackTraceElement f = stack[i];
                if (f.getClassName().startsWith("blockingunderlock.RateCache") && f.getFileName() != null
                        && !f.getClassName().contains("Test")) {
                    at = f.getFileName() + ":" + f.getLineNumber();
                    if (i > 0) {
                        String cls = stack[i - 1].getClassName();
                        in = cls.substring(cls.lastIndexOf('.') + 1).replace('$', '.') + "." + stack[i - 1].getMethodName();
                    } else if (state == Thread.State.BLOCKED) {
                        in = "a synchronized method";
                    }
                    break;
                }
            }
            StringBuilder s = new StringBuilder();
            s.append(state == Thread.State.TERMINATED ? "finished"
                    : state == Thread.State.RUNNABLE ? "running" : "waiting (" + state + ")");
            if (in != null) {
                s.append(" in ").append(in);
            }
            if (at != null) {
                s.append(" at ").append(at);
            }
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.threadId());
            if (info != null && info.getLockOwnerName() != null) {
                s.append(", for a lock held by \"").append(info.getLockOwnerName()).append('"');
                if (ended != null && info.getLockOwnerId() == ended.thread.threadId()) {
                    s.append(", whose refresh() has already returned");
                } else if (info.getLockOwnerName().equals("scheduled-refresh")) {
                    s.append(", which is itself waiting for the rate service");
                }
            }
            return s.toString();
        }
    }

    /** Holds one fetch inside the rate service until released. */
    static final class Gate {
        /** Threads woken by a released gate that may not have run since. */
        static final Set<Thread> LEAVING = ConcurrentHashMap.newKeySet();
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile Thread waiting;

        void release() {
            Thread leaving = waiting;
            if (leaving != null) {
                LEAVING.add(leaving);
            }
            released.countDown();
        }

        void pass() throws InterruptedException {
            waiting = Thread.currentThread();
            entered.countDown();
            try {
                if (!released.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("the test never released this fetch");
                }
            } finally {
                waiting = null;
                LEAVING.remove(Thread.currentThread());
            }
        }
    }

    /**
     * The treasury's rate service. Each fetch gets the next version as it starts (a fetch that
     * starts later sees a later publication); the test can hold a fetch, make it throw, or make
     * it answer null.
     */
    static final class ScriptedSource implements RateSource {
        private static final Throwable NULL_ANSWER = new Throwable("answer null");
        private final AtomicLong published = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        private final Map<Long, Gate> gates = new ConcurrentHashMap<>();
        private final Map<Long, Throwable> failures = new ConcurrentHashMap<>();
        private final Map<Long, Long> older = new ConcurrentHashMap<>();

        Gate holdNextFetch() {
            Gate gate = new Gate();
            gates.put(published.get() + 1, gate);
            return gate;
        }

        /** The next fetch throws {@code failure} (an IOException, an unchecked exception or an Error). */
        void failNextFetch(Throwable failure) {
            failures.put(published.get() + 1, failure);
        }

        void answerNullNext() {
            failures.put(published.get() + 1, NULL_ANSWER);
        }

        /** The next fetch answers with this older publication (a lagging replica). */
        void answerNextWith(long olderVersion) {
            older.put(published.get() + 1, olderVersion);
        }

        /** The newest version any fetch has returned. */
        long newestDelivered() {
            return delivered.get();
        }

        @Override
        public Snapshot fetchLatest() throws IOException, InterruptedException {
            long version = published.incrementAndGet();
            Gate gate = gates.remove(version);
            if (gate != null) {
                gate.pass();
            }
            Throwable failure = failures.remove(version);
            if (failure == NULL_ANSWER) {
                return null;
            }
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            Long lagging = older.remove(version);
            if (lagging != null) {
                version = lagging;
            }
            delivered.accumulateAndGet(version, Math::max);
            return new Snapshot(version, Map.of("EUR", eurOf(version), "GBP", gbpOf(version)));
        }
    }
}
