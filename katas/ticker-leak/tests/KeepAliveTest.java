package tickerleak;

import dev.kata.probe.api.Pitfalls;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the ticker-leak kata. Each test hands the keep-alive a one-thread
 * scheduler of its own, so it can look at what is still scheduled on it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeepAliveTest {

    private static final Duration EVERY = Duration.ofMillis(5);
    /** How long a test waits for a ping that an open session should get within a few ticks. */
    private static final long PING_WAIT_MS = 1000;

    private ScheduledThreadPoolExecutor scheduler;

    @AfterEach
    void stopTheTestsScheduler() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    @Test
    @Order(1)
    void closeShutsTheSchedulerDown() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);
        RecordingPinger pinger = new RecordingPinger();
        KeepAlive keepAlive = new KeepAlive(pinger, EVERY, scheduler);
        keepAlive.open("S-1");
        keepAlive.open("S-2");
        pinger.awaitPing("S-1", "just after it was opened");
        pinger.awaitPing("S-2", "just after it was opened");
        keepAlive.end("S-1");
        keepAlive.close();

        if (!scheduler.isShutdown()) {
            throw Pitfalls.leak("close() returned, but the scheduler that runs the heartbeats was "
                    + "never shut down. Its thread (" + pinger.tickThread() + ") stays alive, parked "
                    + "until the next tick, for as long as the JVM runs; every KeepAlive that is "
                    + "closed this way leaves one more such thread and its queue of ticks behind. "
                    + "In Go this is a time.Ticker nobody stopped, and the goroutine still ranging "
                    + "over its channel. close() is the end of the keep-alive's life: cancel its "
                    + "heartbeats and shut its scheduler down.");
        }
        if (!scheduler.awaitTermination(500, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.leak("close() shut the scheduler down, but its thread (" + pinger.tickThread()
                    + ") is still running 500 ms later: some heartbeat still keeps it busy. "
                    + "Cancel every heartbeat before (or while) you shut the scheduler down.");
        }
    }

    @Test
    @Order(2)
    void anEndedSessionIsNoLongerScheduled() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);
        RecordingPinger pinger = new RecordingPinger();
        KeepAlive keepAlive = new KeepAlive(pinger, EVERY, scheduler);
        keepAlive.open("S-1");
        keepAlive.open("S-2");
        pinger.awaitPing("S-1", "just after it was opened");
        pinger.awaitPing("S-2", "just after it was opened");

        keepAlive.end("S-1");
        int s1AtEnd = pinger.count("S-1");

        // Hold the scheduler's only thread inside S-2's next ping: while it is there, nothing
        // else runs, so every other heartbeat still scheduled is sitting in the queue.
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = pinger.holdNext("S-2", release);
        long stillScheduled;
        try {
            pinger.await(entered, "S-2", "after S-1 was ended (S-2 is still open)");
            stillScheduled = liveTasksIn(scheduler);
        } finally {
            release.countDown();
        }
        if (stillScheduled > 0) {
            throw Pitfalls.resourceLeak("Session S-1 was ended, but " + stillScheduled
                    + (stillScheduled == 1 ? " heartbeat is" : " heartbeats are")
                    + " still scheduled besides the one of S-2, which was running. Removing S-1 from "
                    + "your map, or skipping its pings with a flag, does not stop the timer: the task "
                    + "keeps firing every " + EVERY.toMillis() + " ms, holding the session id and "
                    + "everything it captured, until the scheduler dies. One per ended session adds up "
                    + "(in Go: a time.Ticker without Stop). Cancel the ScheduledFuture that "
                    + "scheduleAtFixedRate returned when the session ends.");
        }

        // And the partner really stops hearing from S-1, while S-2 goes on.
        int s2 = pinger.count("S-2");
        pinger.awaitCount("S-2", s2 + 3, "after S-1 was ended (S-2 is still open)");
        int extra = pinger.count("S-1") - s1AtEnd;
        if (extra > 1) {
            throw Pitfalls.resourceLeak("Session S-1 was ended, but it was pinged " + extra
                    + " more times afterwards: its heartbeat is still running. Cancel it in end().");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Scheduled tasks in the queue that are neither cancelled nor done. */
    private static long liveTasksIn(ScheduledThreadPoolExecutor scheduler) {
        return scheduler.getQueue().stream()
                .filter(task -> !(task instanceof Future<?> f) || !(f.isCancelled() || f.isDone()))
                .count();
    }

    /** Counts pings per session; can hold the scheduler thread inside a session's next ping. */
    private static final class RecordingPinger implements KeepAlive.Pinger {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        private final Map<String, Hold> holds = new ConcurrentHashMap<>();
        private volatile String tickThread = "the scheduler's worker";

        private record Hold(CountDownLatch entered, CountDownLatch release) {
        }

        @Override
        public void ping(String sessionId) {
            tickThread = "\"" + Thread.currentThread().getName() + "\"";
            counts.computeIfAbsent(sessionId, id -> new AtomicInteger()).incrementAndGet();
            Hold hold = holds.remove(sessionId);
            if (hold != null) {
                hold.entered.countDown();
                try {
                    hold.release.await(PING_WAIT_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        int count(String sessionId) {
            AtomicInteger n = counts.get(sessionId);
            return n == null ? 0 : n.get();
        }

        String tickThread() {
            return tickThread;
        }

        CountDownLatch holdNext(String sessionId, CountDownLatch release) {
            CountDownLatch entered = new CountDownLatch(1);
            holds.put(sessionId, new Hold(entered, release));
            return entered;
        }

        void awaitPing(String sessionId, String when) throws InterruptedException {
            awaitCount(sessionId, 1, when);
        }

        void awaitCount(String sessionId, int atLeast, String when) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PING_WAIT_MS);
            while (count(sessionId) < atLeast) {
                if (System.nanoTime() > deadline) {
                    throw noPing(sessionId, when);
                }
                Thread.sleep(1);
            }
        }

        void await(CountDownLatch latch, String sessionId, String when) throws InterruptedException {
            if (!latch.await(PING_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw noPing(sessionId, when);
            }
        }

        private AssertionError noPing(String sessionId, String when) {
            return Pitfalls.lostWork("Session " + sessionId + " is open, but it got no keep-alive ping for "
                    + PING_WAIT_MS + " ms " + when + ", with a heartbeat due every " + EVERY.toMillis()
                    + " ms: the partner would drop it. Ending one session, or anything short of close(), "
                    + "must leave the other sessions' heartbeats running.");
        }
    }
}
