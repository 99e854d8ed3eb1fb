package blockingunderlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import blockingunderlock.RateCache.RateSource;
import blockingunderlock.RateCache.Snapshot;
import dev.kata.probe.api.Pitfalls;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * the test releases it, the way a remote call hangs on a slow server; while it hangs, checkout
 * threads must still get the cached rates at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateCacheTest {

    /** A thread that has waited (parked) this long, while it should not wait at all, is stuck. */
    private static final long STUCK_MS = 20;
    /** Longest the test waits for anything that should happen at once. */
    private static final long WAIT_MS = 1000;

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void checkoutsReadTheCachedRatesWhileARefreshWaitsForTheRateService() throws Exception {
        ScriptedSource source = new ScriptedSource();
        RateCache cache = new RateCache(source);
        cache.refresh(); // version 1, at once
        BigDecimal cachedEur = eurOf(1);

        Gate slow = source.holdNextFetch();
        Call refresh = Call.start("scheduled-refresh", cache::refresh);
        List<Call> checkouts = new ArrayList<>();
        try {
            if (!slow.entered.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                fail("refresh() did not call the rate service within " + WAIT_MS + " ms");
            }
            // The rate service is hanging now. Checkouts keep coming.
            for (int i = 1; i <= 3; i++) {
                checkouts.add(Call.start("checkout-" + i, () -> cache.rate("EUR")));
            }
            for (Call checkout : checkouts) {
                Progress p = checkout.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS));
                if (p != Progress.RETURNED) {
                    throw Pitfalls.timeout(checkout.name() + " asked for the EUR rate while a refresh was "
                            + "waiting for the rate service, and it did not get it: it is "
                            + checkout.where() + ". The rate it needs (" + cachedEur + ") has been in "
                            + "the cache all along, but the refresh holds the cache's lock for as long "
                            + "as the remote call takes, so every checkout queues behind a server it "
                            + "never asked. A rate service that hangs for 30 s hangs every checkout "
                            + "for 30 s. Make the remote call with no lock held; take the lock only "
                            + "to swap in the new snapshot.");
                }
                Object got = checkout.result;
                if (!(got instanceof Optional<?> rate) || rate.isEmpty()) {
                    fail(checkout.name() + " asked for the EUR rate while a refresh was waiting for the "
                            + "rate service, and got " + got + " instead of the cached " + cachedEur
                            + ". The old rates must stay readable until the new ones have arrived: "
                            + "emptying the cache first turns a slow refresh into failed checkouts.");
                }
                assertEquals(cachedEur, rate(got), checkout.name() + " must get the cached EUR rate "
                        + "while the refresh is still waiting for the rate service");
            }
        } finally {
            slow.release();
        }

        Progress done = refresh.awaitReturnedOrStuck(50, deadlineIn(WAIT_MS));
        if (done != Progress.RETURNED) {
            throw Pitfalls.deadlock("The rate service answered, but refresh() never finished: it is "
                    + refresh.where() + ". (A ReentrantReadWriteLock cannot be upgraded: a thread "
                    + "that holds the read lock and asks for the write lock waits for itself, "
                    + "forever.)");
        }
        if (refresh.failure != null) {
            fail("refresh() threw " + refresh.failure);
        }
        assertEquals(2, cache.version(), "after the slow refresh completed, the cache must hold version 2");
        assertEquals(Optional.of(eurOf(2)), cache.rate("EUR"),
                "after the slow refresh completed, checkouts must get the new EUR rate");
    }

    @Test
    @Order(2)
    void aSlowRefreshNeverReplacesNewerRatesWithOlderOnes() throws Exception {
        ScriptedSource source = new ScriptedSource();
        RateCache cache = new RateCache(source);
        cache.refresh(); // version 1

        Gate slow = source.holdNextFetch();
        Call first = Call.start("scheduled-refresh", cache::refresh); // will fetch version 2, slowly
        Call second;
        try {
            if (!slow.entered.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                fail("refresh() did not call the rate service within " + WAIT_MS + " ms");
            }
            second = Call.start("operator-refresh", cache::refresh); // fetches version 3, if it may
            second.awaitReturnedOrStuck(STUCK_MS, deadlineIn(WAIT_MS));
        } finally {
            slow.release();
        }
        long deadline = deadlineIn(WAIT_MS);
        for (Call call : List.of(first, second)) {
            if (call.awaitReturnedOrStuck(50, deadline) != Progress.RETURNED) {
                throw Pitfalls.deadlock("Two overlapping refreshes: " + call.name() + " has not "
                        + "finished after the rate service answered; it is " + call.where() + ".");
            }
            if (call.failure != null) {
                fail(call.name() + " threw " + call.failure);
            }
        }
        long newest = source.newestDelivered();
        if (cache.version() < newest) {
            throw Pitfalls.race("Two refreshes overlapped. The scheduled one started first and fetched "
                    + "rates version 2, slowly; meanwhile the operator's refresh fetched version "
                    + newest + " and stored it. Then the slow one finished and stored version 2 over "
                    + "it: the cache went back in time, and checkouts now use older rates than it "
                    + "already had (it holds version " + cache.version() + "). Once the remote call "
                    + "is made outside the lock, a refresh that started first can finish last: "
                    + "store a snapshot only if it is newer than the one in the cache.");
        }
        assertEquals(Optional.of(eurOf(cache.version())), cache.rate("EUR"),
                "the cached EUR rate must be the one of the cached version");
    }

    @Test
    @Order(3)
    void aFailedRefreshKeepsTheRatesTheCacheHad() throws Exception {
        ScriptedSource source = new ScriptedSource();
        RateCache cache = new RateCache(source);
        cache.refresh(); // version 1

        source.failNextFetch(new IOException("rate service answered 503 Service Unavailable"));
        try {
            cache.refresh();
            fail("the rate service failed, yet refresh() returned normally");
        } catch (IOException expected) {
            // the failure reaches the caller
        }
        assertEquals(Optional.of(eurOf(1)), cache.rate("EUR"), "a failed refresh must leave the "
                + "cached rates as they were: checkouts keep converting with the last good rates");
        assertEquals(1, cache.version(), "a failed refresh must leave the cached version as it was");

        Call next = Call.start("next-refresh", cache::refresh);
        if (next.awaitReturnedOrStuck(50, deadlineIn(WAIT_MS)) != Progress.RETURNED) {
            throw Pitfalls.deadlock("After one failed refresh, the next refresh() never finished: it is "
                    + next.where() + ". Is a lock left held when the rate service fails?");
        }
        assertEquals(Optional.of(eurOf(source.newestDelivered())), cache.rate("EUR"),
                "the refresh after a failed one must load the new rates");
    }

    // ------------------------------------------------------------------ helpers

    private static BigDecimal eurOf(long version) {
        return new BigDecimal("1.0800").add(BigDecimal.valueOf(version, 4));
    }

    private static BigDecimal gbpOf(long version) {
        return new BigDecimal("0.8500").add(BigDecimal.valueOf(version, 4));
    }

    private static BigDecimal rate(Object optional) {
        return (BigDecimal) ((Optional<?>) optional).orElse(null);
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

        /** Waits until the call returns, or has been parked for {@code stuckMs} in a row. */
        Progress awaitReturnedOrStuck(long stuckMs, long deadline) throws InterruptedException {
            long stillSince = 0;
            while (System.nanoTime() < deadline) {
                Thread.State state = thread.getState();
                if (state == Thread.State.TERMINATED) {
                    return Progress.RETURNED;
                }
                if (state == Thread.State.WAITING || state == Thread.State.BLOCKED) {
                    if (stillSince == 0) {
                        stillSince = System.nanoTime();
                    } else if (System.nanoTime() - stillSince >= TimeUnit.MILLISECONDS.toNanos(stuckMs)) {
                        return Progress.STUCK;
                    }
                } else {
                    stillSince = 0;
                }
                thread.join(0, 200_000);
            }
            return thread.isAlive() ? Progress.RUNNING : Progress.RETURNED;
        }

        /** Where the thread is, in the learner's terms: the call it waits in, the line, the lock's holder. */
        String where() {
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
            s.append(state == Thread.State.TERMINATED ? "finished" : "waiting (" + state + ")");
            if (in != null) {
                s.append(" in ").append(in);
            }
            if (at != null) {
                s.append(" at ").append(at);
            }
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.threadId());
            if (info != null && info.getLockOwnerName() != null) {
                s.append(", for a lock held by \"").append(info.getLockOwnerName()).append('"');
                if (info.getLockOwnerName().equals("scheduled-refresh")) {
                    s.append(", which is itself waiting for the rate service");
                }
            } else if (in != null && in.contains("ReadLock")) {
                s.append(", for the read lock, while a refresh holds the write lock");
            }
            return s.toString();
        }
    }

    /** Holds one fetch inside the rate service until released. */
    static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void release() {
            released.countDown();
        }

        void pass() throws InterruptedException {
            entered.countDown();
            if (!released.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new InterruptedException("the test never released this fetch");
            }
        }
    }

    /**
     * The treasury's rate service. Each fetch gets the next version as it starts (a fetch that
     * starts later sees a later publication); the test can hold a fetch or make it fail.
     */
    static final class ScriptedSource implements RateSource {
        private final AtomicLong published = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        private final Map<Long, Gate> gates = new ConcurrentHashMap<>();
        private final Map<Long, IOException> failures = new ConcurrentHashMap<>();

        Gate holdNextFetch() {
            Gate gate = new Gate();
            gates.put(published.get() + 1, gate);
            return gate;
        }

        void failNextFetch(IOException e) {
            failures.put(published.get() + 1, e);
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
            IOException failure = failures.remove(version);
            if (failure != null) {
                throw failure;
            }
            delivered.accumulateAndGet(version, Math::max);
            return new Snapshot(version, Map.of("EUR", eurOf(version), "GBP", gbpOf(version)));
        }
    }
}
