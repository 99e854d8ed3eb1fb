package tickerleak;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.LiveThreads;
import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
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

    @Test
    @Order(3)
    @DisplayName("with an hour between pings: ended and reopened sessions leave no timer behind, also when many threads open and end at once")
    void endedSessionsLeaveNoTimerEvenBeforeTheirNextTick() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);
        // a scheduler that, once shut down, goes on running the periodic tasks still scheduled
        scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(true);
        RecordingPinger pinger = new RecordingPinger();
        KeepAlive keepAlive = new KeepAlive(pinger, Duration.ofHours(1), scheduler);
        // "Aa" and "BB" share a hash code; S-2 is opened twice (a reconnect)
        for (String id : new String[] {"S-1", "S-2", "Aa", "BB", "S-2"}) {
            keepAlive.open(id);
        }
        keepAlive.end("S-1");
        keepAlive.end("Aa");
        long live = liveTasksIn(scheduler);
        if (live != 2) {
            throw Pitfalls.resourceLeak("Sessions S-1, S-2, Aa and BB were opened (S-2 twice, a reconnect), with a"
                    + " ping due every hour, and S-1 and Aa were ended; right after that, " + live + " heartbeat"
                    + (live == 1 ? " is" : "s are") + " scheduled, where the two open sessions need exactly 2."
                    + (live > 2 ? " A heartbeat that is not cancelled when its session ends (or is replaced) stays"
                            + " scheduled at least until its next tick, an hour from now; cancel it at once." : ""));
        }
        // S-1 connects again later: a new session under an ended one's id
        keepAlive.open("S-1");
        live = liveTasksIn(scheduler);
        if (live != 3) {
            throw Pitfalls.resourceLeak("Sessions S-2 and BB are open; S-1 was ended and then opened again (a new"
                    + " connection), with a ping due every hour; right after that, " + live + " heartbeat"
                    + (live == 1 ? " is" : "s are") + " scheduled, where the three open sessions need exactly 3."
                    + (live < 3 ? " Opening S-1 again started no heartbeat for it." : ""));
        }
        keepAlive.end("S-1");
        // S-3 reconnects twice; each time, every ping due by then is let run first
        for (int opens = 1; opens <= 3; opens++) {
            keepAlive.open("S-3");
            scheduler.submit(() -> { }).get(Patience.millis(1000, 5000), TimeUnit.MILLISECONDS);
        }
        int reconnectedPings = pinger.count("S-3");
        keepAlive.end("S-3");
        if (reconnectedPings > 1) {
            fail("S-3 was opened, then opened again twice (reconnects), with a ping due every hour, and it had"
                    + " already been pinged " + reconnectedPings + " times: each reconnect added a ping. A session"
                    + " that reconnects often would be pinged more often than once per period; a reconnect keeps"
                    + " the heartbeat's rhythm.");
        }

        int threads = 4;
        int perThread = 100;
        int keptPerThread = 25;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers.add(Thread.ofPlatform().name("sessions-" + (me + 1)).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        keepAlive.open("T" + me + "-" + i);
                    }
                    for (int i = keptPerThread; i < perThread; i++) {
                        keepAlive.end("T" + me + "-" + i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread w : workers) {
            w.join(1000);
            if (w.isAlive()) {
                fail(w.getName() + " had not opened and ended its " + perThread + " sessions after 1 s");
            }
        }
        if (failure.get() != null) {
            fail("a thread opening and ending sessions failed: " + failure.get(), failure.get());
        }
        long expected = 2 + (long) threads * keptPerThread;
        live = liveTasksIn(scheduler);
        if (live != expected) {
            throw Pitfalls.resourceLeak(threads + " threads each opened " + perThread + " sessions and ended "
                    + (perThread - keptPerThread) + " of them, at the same time: " + live + " heartbeats are"
                    + " scheduled for the " + expected + " sessions still open. "
                    + (live > expected ? "The heartbeats of some ended sessions were never cancelled: with"
                            + " several threads opening and ending at once, the keep-alive lost track of them."
                            : "Some open sessions have no heartbeat."));
        }
        keepAlive.close();
        if (!scheduler.isShutdown() || !scheduler.awaitTermination(500, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.leak("close() returned with " + expected + " sessions open (pings due every hour), but"
                    + " the scheduler " + (scheduler.isShutdown() ? "was still running 500 ms later: some heartbeat"
                            + " was left scheduled" : "was never shut down") + ".");
        }
    }

    @Test
    @Order(4)
    @DisplayName("an open session is pinged once per period, not more often")
    void anOpenSessionIsPingedOncePerPeriod() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);
        RecordingPinger pinger = new RecordingPinger();
        Duration every = Duration.ofMillis(20);
        KeepAlive keepAlive = new KeepAlive(pinger, every, scheduler);
        long t0 = System.nanoTime();
        keepAlive.open("S-9");
        Thread.sleep(200);
        int pings = pinger.count("S-9");
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        keepAlive.close();
        long most = elapsed / every.toMillis() + 1;
        if (pings > most) {
            fail("session S-9 was pinged " + pings + " times in " + elapsed + " ms, with a ping due every "
                    + every.toMillis() + " ms: at most " + most + " were due");
        }
        // Periods that are not whole milliseconds, whole microseconds or whole seconds: the period the
        // heartbeat is scheduled with, as the scheduler was asked for it, is the one given, to the nanosecond.
        for (Duration odd : List.of(Duration.ofNanos(5_900_000), Duration.ofNanos(5_900_250), Duration.ofMillis(1_500))) {
            PeriodRecordingScheduler recording = new PeriodRecordingScheduler();
            scheduler = recording;
            KeepAlive another = new KeepAlive(new RecordingPinger(), odd, recording);
            another.open("S-10");
            another.close();
            Long other = recording.periodOtherThan(odd.toNanos());
            if (other != null) {
                fail("with a period of " + odd.toNanos() + " ns given to the constructor, open() scheduled the heartbeat"
                        + " every " + other + " ns: " + (other < odd.toNanos() ? "more" : "less") + " often than once"
                        + " per period. Converting the period to a coarser unit (toMillis(), toSeconds(), microseconds)"
                        + " changes it; schedule with toNanos() and TimeUnit.NANOSECONDS.");
            }
            if (recording.fixedDelay) {
                fail("open() scheduled the heartbeat with scheduleWithFixedDelay: each ping is then due a period"
                        + " after the previous one has ended, so the ping's own time (and any other session's ping on"
                        + " the scheduler's one thread) is added to every period, and the session is pinged less often"
                        + " than once per period. scheduleAtFixedRate keeps to the period.");
            }
        }
    }

    /** Records the periods that heartbeats are scheduled with (fixed rate or fixed delay). */
    private static final class PeriodRecordingScheduler extends ScheduledThreadPoolExecutor {
        private final java.util.Queue<Long> periods = new java.util.concurrent.ConcurrentLinkedQueue<>();
        volatile boolean fixedDelay;

        PeriodRecordingScheduler() {
            super(1);
        }

        /** A period a heartbeat was scheduled with, in nanoseconds, other than {@code nanos}; null if none. */
        Long periodOtherThan(long nanos) {
            return periods.stream().filter(p -> p != nanos).findFirst().orElse(null);
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
                long period, TimeUnit unit) {
            periods.add(unit.toNanos(period));
            return super.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
                long delay, TimeUnit unit) {
            periods.add(unit.toNanos(delay));
            fixedDelay = true;
            return super.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        }
    }

    /**
     * Two threads open the same session at once (a reconnect racing the first open). The
     * scheduler holds each one inside scheduleAtFixedRate until the other is there too, or stands
     * still (waiting for a lock, or done): that lines both up after any check of the map and
     * before any write to it, on every run. Afterwards the session has one heartbeat; ended, none.
     */
    @Test
    @Order(5)
    @DisplayName("a session opened by two threads at the same moment keeps one heartbeat, and ending it leaves none")
    void twoOpensOfOneSessionAtOnceKeepOneHeartbeat() throws Exception {
        for (int round = 1; round <= 5; round++) {
            Thread[] openers = new Thread[2];
            MeetingScheduler meeting = new MeetingScheduler(openers);
            scheduler = meeting;
            KeepAlive keepAlive = new KeepAlive(new RecordingPinger(), Duration.ofHours(1), meeting);
            String session = "S-" + round;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int i = 0; i < 2; i++) {
                // Each thread has its own copy of the id, as ids read from two connections are: equal, not the same object.
                String id = new String(session);
                openers[i] = Thread.ofPlatform().name("reconnect-" + (i + 1)).unstarted(() -> {
                    try {
                        keepAlive.open(id);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
            }
            openers[0].start();
            openers[1].start();
            for (Thread opener : openers) {
                opener.join(dev.kata.probe.api.Patience.millis(2000, 8000));
                if (opener.isAlive()) {
                    throw Pitfalls.deadlock("Round " + round + ": two threads opened " + session + " at the same "
                            + "moment, and \"" + opener.getName() + "\" has not returned from open(): it is "
                            + opener.getState() + ".");
                }
            }
            if (failure.get() != null) {
                fail("Round " + round + ": open(" + session + ") threw " + failure.get(), failure.get());
            }
            long live = liveTasksIn(meeting);
            if (live != 1) {
                throw Pitfalls.resourceLeak("Round " + round + ": two threads opened " + session + " at the same "
                        + "moment (a reconnect racing the first open), and " + live + " heartbeats are now "
                        + "scheduled for it, not one. " + (live > 1 ? "Either each thread saw no heartbeat yet and "
                        + "scheduled its own (checking the map and then putting into it are two steps another "
                        + "thread can come between; a lock on the id itself does not join them, as the two threads'"
                        + " ids are equal strings but two objects), or the heartbeat one open replaced was not"
                        + " cancelled. The "
                        + "heartbeat your map forgot pings twice per period and survives end(). Make the check "
                        + "and the change one step (ConcurrentHashMap.compute), or cancel what put() replaced."
                        : "An open session must keep its heartbeat."));
            }
            keepAlive.end(session);
            long left = liveTasksIn(meeting);
            if (left != 0) {
                throw Pitfalls.resourceLeak("Round " + round + ": two threads opened " + session + " at the same "
                        + "moment, then it was ended, and " + left + (left == 1 ? " heartbeat is" : " heartbeats are")
                        + " still scheduled for it.");
            }
            keepAlive.close();
            meeting.shutdownNow();
        }
    }

    /**
     * A session ended on one thread while a reconnect opens it again on another. The scheduler
     * holds the ending thread inside its heartbeat's cancel() until the reconnect has scheduled its
     * own heartbeat, or stands still (waiting for a lock, or done): that puts the reconnect between
     * any two steps of end() after the cancel, on every run. Either order is fine (the session ends
     * up open with one heartbeat, or ended with none), but a heartbeat must never be left where no
     * end() can find it: ended once more, the session has none.
     */
    @Test
    @Order(6)
    @DisplayName("a session ended while a reconnect opens it again: one heartbeat or none, and ending it again leaves none")
    void anEndRacingAReconnectLeavesNoHeartbeatBehind() throws Exception {
        for (int round = 1; round <= 7; round++) {
            // Rounds 6 and 7: the connection's close event comes twice, the second end() on the
            // reconnect's thread just before it opens the session again.
            boolean duplicateEnd = round > 5;
            EndMeetsReconnectScheduler meeting = new EndMeetsReconnectScheduler();
            scheduler = meeting;
            KeepAlive keepAlive = new KeepAlive(new RecordingPinger(), Duration.ofHours(1), meeting);
            String session = "S-" + round;
            keepAlive.open(new String(session));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            meeting.ender = Thread.ofPlatform().name("connection-closed").unstarted(() -> {
                try {
                    keepAlive.end(new String(session));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            meeting.reconnect = Thread.ofPlatform().name("reconnect").unstarted(() -> {
                try {
                    meeting.awaitEnderInCancel();
                    if (duplicateEnd) {
                        keepAlive.end(new String(session));
                    }
                    keepAlive.open(new String(session));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            meeting.ender.start();
            meeting.reconnect.start();
            for (Thread t : List.of(meeting.ender, meeting.reconnect)) {
                t.join(Patience.millis(3000, 8000));
                if (t.isAlive()) {
                    throw Pitfalls.deadlock("Round " + round + ": " + session + " was ended on one thread while a "
                            + "reconnect opened it again on another, and \"" + t.getName() + "\" has not returned"
                            + " from " + (t == meeting.ender ? "end()" : "open()") + ": it is " + t.getState() + ".");
                }
            }
            if (failure.get() != null) {
                fail("Round " + round + ": ending and reopening " + session + " at once threw " + failure.get(),
                        failure.get());
            }
            long live = liveTasksIn(meeting);
            if (live > 1) {
                throw Pitfalls.resourceLeak("Round " + round + ": " + session + " was ended while a reconnect"
                        + " opened it again, and " + live + " heartbeats are now scheduled for it, not one.");
            }
            keepAlive.end(session);
            long left = liveTasksIn(meeting);
            if (left != 0) {
                throw Pitfalls.resourceLeak("Round " + round + ": " + session + " was ended on one thread while a"
                        + " reconnect opened it again on another" + (meeting.enderCancelled() ? " (the reconnect"
                        + " came while end() was cancelling the old heartbeat" + (duplicateEnd ? ", just after a second"
                        + " end() of the same session had run to its end" : "") + ")" : "") + ", and then ended once more: " + left + (left == 1 ? " heartbeat is"
                        : " heartbeats are") + " still scheduled, pinging it every hour, and no end() can find it."
                        + " If end() reads the session's heartbeat, cancels it and then removes the entry, a"
                        + " reconnect in between puts its new heartbeat there, and the remove drops that one"
                        + " uncancelled. Take the entry out and cancel what you took (remove(id) returns it), or"
                        + " make end() and open() one step each for the same id.");
            }
            keepAlive.close();
            meeting.shutdownNow();
        }
    }

    /**
     * Holds the ending thread inside its heartbeat's cancel() until the reconnect has scheduled a
     * heartbeat, or stands still; the reconnect starts once the ending thread is in cancel().
     */
    private static final class EndMeetsReconnectScheduler extends ScheduledThreadPoolExecutor {
        volatile Thread ender;
        volatile Thread reconnect;
        private final CountDownLatch enderInCancel = new CountDownLatch(1);
        private volatile boolean reconnectScheduled;

        EndMeetsReconnectScheduler() {
            super(1);
        }

        boolean enderCancelled() {
            return enderInCancel.getCount() == 0;
        }

        void awaitEnderInCancel() throws InterruptedException {
            enderInCancel.await(1, TimeUnit.SECONDS);
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
                long period, TimeUnit unit) {
            return watched(super.scheduleAtFixedRate(command, initialDelay, period, unit));
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
                long delay, TimeUnit unit) {
            return watched(super.scheduleWithFixedDelay(command, initialDelay, delay, unit));
        }

        private java.util.concurrent.ScheduledFuture<?> watched(java.util.concurrent.ScheduledFuture<?> task) {
            if (Thread.currentThread() == reconnect) {
                reconnectScheduled = true;
            }
            return new HeldCancel(task);
        }

        /** In the ending thread: waits for the reconnect's heartbeat, or for the reconnect to stand still. */
        private void holdEnder() {
            if (Thread.currentThread() != ender) {
                return;
            }
            enderInCancel.countDown();
            waitUntilOrStill(reconnect, () -> reconnectScheduled);
        }

        /** The scheduler's own task, with a cancel() that holds the ending thread first. */
        private final class HeldCancel implements java.util.concurrent.ScheduledFuture<Object> {
            private final java.util.concurrent.ScheduledFuture<?> task;

            HeldCancel(java.util.concurrent.ScheduledFuture<?> task) {
                this.task = task;
            }

            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                holdEnder();
                return task.cancel(mayInterruptIfRunning);
            }

            @Override
            public long getDelay(TimeUnit unit) {
                return task.getDelay(unit);
            }

            @Override
            public int compareTo(java.util.concurrent.Delayed other) {
                return task.compareTo(other);
            }

            @Override
            public boolean isCancelled() {
                return task.isCancelled();
            }

            @Override
            public boolean isDone() {
                return task.isDone();
            }

            @Override
            public Object get() throws InterruptedException, java.util.concurrent.ExecutionException {
                return task.get();
            }

            @Override
            public Object get(long timeout, TimeUnit unit) throws InterruptedException,
                    java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
                return task.get(timeout, unit);
            }
        }
    }

    /** Holds each opener inside scheduleAtFixedRate until the other is there too, or stands still. */
    private static final class MeetingScheduler extends ScheduledThreadPoolExecutor {
        private final Thread[] members;
        private final java.util.Set<Thread> arrived = ConcurrentHashMap.newKeySet();

        MeetingScheduler(Thread[] members) {
            super(1);
            this.members = members;
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
                long period, TimeUnit unit) {
            meet();
            return super.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        private void meet() {
            Thread me = Thread.currentThread();
            if (me != members[0] && me != members[1]) {
                return;
            }
            arrived.add(me);
            Thread other = me == members[0] ? members[1] : members[0];
            waitUntilOrStill(other, () -> arrived.contains(other));
        }
    }

    /**
     * Sessions opened and ended, their cancelled heartbeats then purged from the scheduler's
     * queue: nothing should keep them alive. Each id is a String of its own that only the
     * keep-alive is given; a weak reference tells whether anything still reaches it.
     */
    @Test
    @Order(7)
    @DisplayName("an ended session is forgotten: once its cancelled heartbeat has left the scheduler, nothing holds it")
    void anEndedSessionIsForgotten() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);
        KeepAlive keepAlive = new KeepAlive(sessionId -> { }, Duration.ofHours(1), scheduler);
        keepAlive.open("kept");
        List<WeakReference<String>> ended = openAndEnd(keepAlive, 3);
        scheduler.purge(); // the cancelled heartbeats leave the queue (the test's own scheduler)
        for (int i = 0; i < 10 && ended.stream().anyMatch(id -> id.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        long held = ended.stream().filter(id -> id.get() != null).count();
        keepAlive.close();
        if (held > 0) {
            throw Pitfalls.resourceLeak("Sessions gone-1, gone-2 and gone-3 were opened and ended (pings due every"
                    + " hour), and their cancelled heartbeats were purged from the scheduler; after full garbage"
                    + " collections, " + held + " of the 3 session ids " + (held == 1 ? "is" : "are") + " still"
                    + " reachable: the keep-alive still holds on to something of " + (held == 1 ? "an" : "each")
                    + " ended session (a map entry, a cancelled future, the id itself). One per ended session"
                    + " adds up, all day long, as the heartbeats did.");
        }
    }

    /**
     * close() returns, the scheduler ends, and only then are the JVM's carrier threads of virtual
     * threads let go (the test held each of them in a busy loop of its own from before the last
     * ticks until then). Every ping of a heartbeat that close() stopped has happened by the time
     * the scheduler has ended; whatever a tick handed on to another thread, and that thread
     * itself, is waited for after the carriers are free. No session may be pinged then. It runs
     * first, so that what it saw is what a check reports.
     */
    @Test
    @Order(0)
    @DisplayName("no session is pinged once close() has returned and the scheduler has ended, even while every carrier of virtual threads is busy")
    void noPingAfterClose() throws Exception {
        scheduler = new ScheduledThreadPoolExecutor(1);
        Set<Thread> before = new HashSet<>(LiveThreads.all());
        RecordingPinger pinger = new RecordingPinger();
        KeepAlive keepAlive = new KeepAlive(pinger, EVERY, scheduler);
        keepAlive.open("C");
        pinger.awaitPing("C", "just after it was opened");

        // Hold every carrier thread of virtual threads in a busy loop (a virtual thread that never
        // blocks keeps its carrier), with a deadline of its own in case something waits for one.
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        CountDownLatch busy = new CountDownLatch(carriers);
        AtomicBoolean letGo = new AtomicBoolean();
        long spinUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < carriers; i++) {
            spinners.add(Thread.ofVirtual().name("kata-test-busy-carrier-" + (i + 1)).start(() -> {
                busy.countDown();
                while (!letGo.get() && System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                }
            }));
        }
        int ticksBeforeClose;
        int lateByThreads = 0;
        List<Thread> leftAlive = new ArrayList<>();
        try {
            if (!busy.await(Patience.millis(300, 600), TimeUnit.MILLISECONDS)) {
                return; // the carriers could not all be held here: nothing this test can show
            }
            // Let the heartbeat tick at least three more times while the carriers are held.
            long ticksAtStart = scheduler.getCompletedTaskCount();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(200, 500));
            while (scheduler.getCompletedTaskCount() < ticksAtStart + 3 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            keepAlive.close();
            if (!scheduler.awaitTermination(Patience.millis(300, 600), TimeUnit.MILLISECONDS)) {
                throw Pitfalls.leak("close() returned with session C open (a ping due every " + EVERY.toMillis()
                        + " ms), but the scheduler had not ended " + Patience.millis(300, 600) + " ms later.");
            }
            ticksBeforeClose = (int) scheduler.getCompletedTaskCount();
            pinger.closed = true;
            for (Thread t : LiveThreads.all()) {
                if (!before.contains(t) && !spinners.contains(t) && t != Thread.currentThread()
                        && !LiveThreads.isJvmOrGrader(t)) {
                    leftAlive.add(t);
                }
            }
        } finally {
            letGo.set(true);
        }
        for (Thread t : spinners) {
            t.join(Patience.millis(300, 600));
        }
        // Wait for what the keep-alive left alive, and for the pings of ticks that ran before close().
        for (Thread t : leftAlive) {
            t.join(Patience.millis(300, 600));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(100, 300));
        while (pinger.count("C") < ticksBeforeClose && (!leftAlive.isEmpty() || !LiveThreads.seesVirtualThreads())
                && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        int late = pinger.late.get();
        if (late > 0) {
            Map<String, Long> byName = leftAlive.stream().collect(java.util.stream.Collectors.groupingBy(
                    t -> (t.isVirtual() ? "virtual thread " : "thread ") + (t.getName().isEmpty() ? "(unnamed)"
                            : "\"" + t.getName() + "\""), java.util.LinkedHashMap::new,
                    java.util.stream.Collectors.counting()));
            List<String> names = byName.entrySet().stream()
                    .map(e -> e.getValue() == 1 ? e.getKey() : e.getValue() + " x " + e.getKey()).toList();
            throw Pitfalls.leak("Session C was open, with a ping due every " + EVERY.toMillis() + " ms. close() returned"
                    + " and the scheduler's thread had ended, and after that C was pinged " + late + " more time"
                    + (late == 1 ? "" : "s") + " (on " + pinger.lateThread + "). "
                    + (leftAlive.isEmpty() ? "" : leftAlive.size() + " thread" + (leftAlive.size() == 1 ? "" : "s")
                            + " started since C was opened " + (leftAlive.size() == 1 ? "was" : "were")
                            + " still alive when close() had returned: " + String.join(", ", names.subList(0,
                                    Math.min(3, names.size()))) + (names.size() > 3 ? ", ..." : "") + ". ")
                    + "This was while every carrier thread of the JVM's virtual threads was busy (the test held them),"
                    + " as under load. The partner heard from a keep-alive that was closed. Ping on the scheduler's"
                    + " thread, in the tick itself: then a heartbeat that close() cancelled and a scheduler that has"
                    + " ended ping no more.");
        }
    }

    /** Opens and ends sessions whose ids only the keep-alive holds; returns weak references to them. */
    private static List<WeakReference<String>> openAndEnd(KeepAlive keepAlive, int sessions) {
        List<WeakReference<String>> ids = new ArrayList<>();
        for (int i = 1; i <= sessions; i++) {
            String id = new String("gone-" + i);
            keepAlive.open(id);
            keepAlive.end(new String(id)); // the id as the closing connection spells it
            ids.add(new WeakReference<>(id));
        }
        return ids;
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Spins until {@code there} holds, or {@code other} has stood still (waiting for a lock, parked,
     * or done) for 20 ms, or a second has passed: how the test's schedulers line two threads up
     * without ever blocking a correct fix for long.
     */
    private static void waitUntilOrStill(Thread other, java.util.function.BooleanSupplier there) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long stillSince = 0;
        while (System.nanoTime() < deadline && !there.getAsBoolean()) {
            Thread.State state = other == null ? Thread.State.TERMINATED : other.getState();
            boolean still = state == Thread.State.BLOCKED || state == Thread.State.WAITING
                    || state == Thread.State.TIMED_WAITING || state == Thread.State.TERMINATED;
            if (!still) {
                stillSince = 0;
            } else if (stillSince == 0) {
                stillSince = System.nanoTime();
            } else if (System.nanoTime() - stillSince > TimeUnit.MILLISECONDS.toNanos(20)) {
                return;
            }
            Thread.onSpinWait();
        }
    }

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
        /** Set once close() has returned and the scheduler has ended: pings from then on are late. */
        volatile boolean closed;
        final AtomicInteger late = new AtomicInteger();
        volatile String lateThread = "";

        private record Hold(CountDownLatch entered, CountDownLatch release) {
        }

        @Override
        public void ping(String sessionId) {
            tickThread = "\"" + Thread.currentThread().getName() + "\"";
            if (closed) {
                late.incrementAndGet();
                Thread me = Thread.currentThread();
                lateThread = (me.isVirtual() ? "virtual thread " : "thread ")
                        + (me.getName().isEmpty() ? "#" + me.threadId() : "\"" + me.getName() + "\"");
            }
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
