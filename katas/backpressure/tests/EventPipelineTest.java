package backpressure;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import backpressure.EventPipeline.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hidden tests for the backpressure kata. Request-handler threads submit events as fast as they
 * can to a pipeline whose writer the test controls: fast, slow, or held on its first event until
 * the test lets it go. While the writer is held, the backlog is measured from outside the
 * pipeline, once every handler has finished or sits still inside submit(): "events whose
 * submit() returned" minus "events the writer has started on". After the run, every event is
 * accounted for by identity (events equal by value are still different events).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventPipelineTest {

    /**
     * Events equal (as records, or by a field) to an end-of-stream marker a pipeline might use: the
     * starter's, guesses, and every pairing of a number and a string written in the learner's own code,
     * the string both as a copy and as the very literal object. Events all the same.
     */
    private static final List<Event> MARKER_LIKE = markerLikeEvents();

    private static List<Event> markerLikeEvents() {
        java.util.Set<Long> numbers = new java.util.LinkedHashSet<>(List.of(-1L, 0L, Long.MIN_VALUE, Long.MAX_VALUE,
                (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE));
        numbers.addAll(dev.kata.probe.api.LearnerCode.numberLiterals(EventPipeline.class));
        List<String> texts = dev.kata.probe.api.LearnerCode.markerTexts(EventPipeline.class, 400, "end of stream", "",
                "EOF");
        List<Event> events = new ArrayList<>();
        events.add(new Event(-1, "end of stream")); // the starter's own marker first
        for (long n : numbers) {
            for (String t : texts) {
                if (events.size() < 400) {
                    events.add(new Event(n, t));
                }
            }
            if (events.size() < 400) {
                events.add(new Event(n, null));
            }
        }
        return List.copyOf(events);
    }

    /** A new event (the tests tell events apart by identity) equal to one of {@link #MARKER_LIKE}. */
    private static Event markerLike(int i) {
        Event m = MARKER_LIKE.get(i);
        return new Event(m.seq(), m.payload());
    }

    private static Event markerLike(Random random) {
        return markerLike(random.nextInt(MARKER_LIKE.size()));
    }

    private static boolean isMarkerLike(Event e) {
        return MARKER_LIKE.stream().anyMatch(m -> m.equals(e) || m.seq() == e.seq() && m.payload() == e.payload());
    }

    @Test
    @Order(1)
    @DisplayName("a writer held for 300 ms: the handler waits with maxBacklog events waiting, and nothing is lost")
    void aSlowWriterHoldsTheProducerBack() throws Exception {
        List<Event> events = new ArrayList<>();
        for (long seq = 1; seq <= 64; seq++) {
            events.add(new Event(seq, "login user-" + seq));
        }
        // Hold the writer longer than a "wait a while, then give up" a submit might choose: the learner's
        // time limits are shortened a thousandfold and to 60 ms at most (kata.shortTimeouts), so 300 ms outlasts any
        // limit under a year.
        new Run("the first scenario", new Scenario(4, List.of(events), Mode.HELD, 300, false, false)).check();
    }

    @Test
    @Order(2)
    @DisplayName("close() writes every event in order, some of them equal to an end marker, and ends the writer")
    void closeWritesEverythingAndStopsTheWriter() throws Exception {
        List<Event> events = new ArrayList<>();
        for (long seq = 1; seq <= 200; seq++) {
            // From event 100 on, every other one looks like an end-of-stream marker a fix might make (the
            // starter's, guesses, and values written in the learner's code): an event all the same.
            events.add(new Event(seq, "logout user-" + seq));
        }
        for (int i = 0; i < MARKER_LIKE.size(); i++) {
            events.add(99 + 2 * i, markerLike(i));
        }
        new Run("the second scenario", new Scenario(4, List.of(events), Mode.FAST, 0, false, false)).check();
    }

    /**
     * The writer is held with the backlog full (maxBacklog 1): request-handler-1 waits inside submit() for
     * room, and request-handler-2 comes to the full backlog after it and waits behind it. The one that came
     * last is interrupted: it must leave submit() at once, not once the handler ahead of it has got in.
     */
    @Test
    @Order(3)
    @Timeout(value = 6, unit = TimeUnit.SECONDS) // the interrupt's grace stretches with the machine's load
    @DisplayName("a handler waiting for room behind another, interrupted: it gets InterruptedException at once")
    void aHandlerWaitingBehindAnotherLeavesAtOnceWhenInterrupted() throws Exception {
        List<Event> first = List.of(new Event(1, "viewed record 1"), new Event(2, "viewed record 2"),
                new Event(3, "viewed record 3"));
        List<Event> second = List.of(new Event(4, "viewed record 4"), new Event(5, "viewed record 5"));
        new Run("the third scenario", new Scenario(1, List.of(first, second), Mode.HELD, 0, true, false, true))
                .check();
    }

    /**
     * Three handlers wait for room behind a held writer (maxBacklog 2). The test then lets the writer go while
     * no handler can run (they are virtual threads, and the test's own virtual threads hold every carrier for
     * that moment), so the writer takes both waiting events, one after the other, before any handler it woke
     * has added its event. Once the handlers run again, every one of them must get in: there is room.
     */
    @Test
    @Order(4)
    @Timeout(value = 6, unit = TimeUnit.SECONDS) // the waits stretch with the machine's load
    @DisplayName("the writer empties a full backlog before the handlers it woke have run: every one gets in")
    void everyWaitingHandlerGetsInOnceTheWriterHasMadeRoom() throws Exception {
        int maxBacklog = 2;
        int waiters = 3;
        CountDownLatch writerOnFirst = new CountDownLatch(1);
        CountDownLatch writerMayGo = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Thread> writerThread =
                new java.util.concurrent.atomic.AtomicReference<>();
        EventPipeline pipeline = new EventPipeline(event -> {
            writerThread.set(Thread.currentThread());
            if (started.incrementAndGet() == 1) {
                writerOnFirst.countDown();
                writerMayGo.await(); // the audit database is slow: the test decides when it recovers
            }
            written.incrementAndGet();
        }, maxBacklog);
        java.util.concurrent.atomic.AtomicBoolean stopSpinning = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> spinners = new ArrayList<>();
        List<Thread> handlers = new ArrayList<>();
        long settleMs = Patience.millis(1000, 4000);
        try {
            // request-handler-1 fills the backlog: its first event goes to the writer, which holds it, and the
            // next maxBacklog events wait for it.
            handlers.add(Thread.ofPlatform().name("request-handler-1").start(() -> {
                try {
                    pipeline.submit(new Event(1, "viewed record 1"));
                    accepted.incrementAndGet();
                    if (writerOnFirst.await(settleMs, TimeUnit.MILLISECONDS)) {
                        for (int i = 2; i <= 1 + maxBacklog; i++) {
                            pipeline.submit(new Event(i, "viewed record " + i));
                            accepted.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    // the test's clean-up
                }
            }));
            handlers.get(0).join(settleMs);
            Thread writer = writerThread.get();
            if (handlers.get(0).isAlive() || accepted.get() != 1 + maxBacklog || writer == null
                    || writer.isVirtual()) {
                // Not staged: the backlog took no maxBacklog events (other tests say why), or the writer is a
                // virtual thread, which the test cannot let run while it keeps the handlers off the CPU.
                return;
            }
            for (int h = 0; h < waiters; h++) {
                long seq = 10 + h;
                handlers.add(Thread.ofVirtual().name("request-handler-" + (h + 2)).start(() -> {
                    try {
                        pipeline.submit(new Event(seq, "viewed record " + seq));
                        accepted.incrementAndGet();
                    } catch (InterruptedException e) {
                        // the test's clean-up
                    }
                }));
            }
            // The writer is held and the backlog full: each of them sits still inside submit(), waiting for room.
            if (!sitStill(handlers.subList(1, handlers.size()), accepted, settleMs)
                    || handlers.stream().skip(1).anyMatch(t -> !t.isAlive())) {
                return; // one got in while the backlog was full: other tests say so
            }
            // Hold every carrier of the virtual threads, so that no handler runs, and let the writer go.
            int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                    Runtime.getRuntime().availableProcessors());
            AtomicInteger spinning = new AtomicInteger();
            long spinUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(500, 1500));
            for (int i = 0; i < carriers; i++) {
                spinners.add(Thread.ofVirtual().name("busy-carrier-" + (i + 1)).start(() -> {
                    spinning.incrementAndGet();
                    while (!stopSpinning.get() && System.nanoTime() < spinUntil) {
                        Thread.onSpinWait(); // never parks nor yields: the carrier stays this thread's
                    }
                }));
            }
            while (spinning.get() < carriers && System.nanoTime() < spinUntil) {
                Thread.sleep(1);
            }
            if (spinning.get() < carriers) {
                return; // some carrier was not free to hold: nothing staged this time
            }
            writerMayGo.countDown();
            // The writer alone runs: it finishes its first write, takes what waits, and sits still in a wait.
            while (System.nanoTime() < spinUntil) {
                int before = written.get();
                if (before >= 1 && parked(writer)) {
                    Thread.sleep(5);
                    if (written.get() == before && parked(writer)) {
                        break;
                    }
                } else {
                    Thread.sleep(1);
                }
            }
            int writtenAlone = written.get();
            stopSpinning.set(true);
            for (Thread t : spinners) {
                t.join();
            }
            // The handlers run again. Each must get in: the writer has made room for all of them.
            long stallNanos = TimeUnit.MILLISECONDS.toNanos(Patience.millis(500, 1000));
            int progress = -1;
            long lastProgress = System.nanoTime();
            while (handlers.stream().anyMatch(Thread::isAlive) && System.nanoTime() - lastProgress < stallNanos) {
                int now = accepted.get() + written.get();
                if (now != progress) {
                    progress = now;
                    lastProgress = System.nanoTime();
                }
                Thread.sleep(5);
            }
            List<String> stuck = handlers.stream().filter(Thread::isAlive).map(Thread::getName).toList();
            if (!stuck.isEmpty()) {
                int waiting = accepted.get() - started.get();
                throw Pitfalls.deadlock(String.join(" and ", stuck) + " still waited inside submit() "
                        + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms after the last event was accepted or"
                        + " written, with " + count(waiting, "accepted event") + " waiting for the writer and"
                        + " maxBacklog = " + maxBacklog + " (submit() had returned " + times(accepted.get())
                        + ", the writer had written " + written.get() + "). The handlers had come to a full backlog"
                        + " while the writer was held; the writer was then let go while no handler could run (they"
                        + " were virtual threads, and the test held every carrier for that moment), and it wrote "
                        + writtenAlone + " events (the one it was held on included) one after the other before any"
                        + " handler it woke had added its event. A handler waiting for room must get in once there is room, however many events"
                        + " the writer takes before that handler runs. If only a take from a full backlog wakes a"
                        + " handler, a second take before the woken one has run wakes nobody.");
            }
        } finally {
            stopSpinning.set(true);
            writerMayGo.countDown();
            for (Thread t : spinners) {
                t.join(1000);
            }
            for (Thread t : handlers) {
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(200);
                }
            }
            Thread closer = Thread.ofPlatform().name("closer").start(() -> {
                try {
                    pipeline.close();
                } catch (InterruptedException e) {
                    // the test's clean-up
                }
            });
            closer.join(Patience.millis(500, 2000));
            if (closer.isAlive()) {
                closer.interrupt();
                closer.join(200);
            }
            Thread writer = writerThread.get();
            if (writer != null && writer.isAlive()) {
                writer.interrupt();
                writer.join(200);
            }
        }
    }

    @Test
    @Order(5)
    @DisplayName("seeded scenarios: 1-3 handlers, backlogs of 1-8, a writer fast, slow or held, an interrupted handler,"
            + " close() while the writer is held")
    void seededScenarios() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Scenario> scenarios = new ArrayList<>();
        // Every run holds one of each kind; the seed draws the rest.
        scenarios.add(new Scenario(3, events(random, new int[] {25}, true), Mode.HELD, 0, false, false));
        scenarios.add(new Scenario(1, events(random, new int[] {12, 12, 12}, true), Mode.HELD, 0, true, false));
        scenarios.add(new Scenario(5, events(random, new int[] {30}, true), Mode.HELD, 0, true, false));
        scenarios.add(new Scenario(3, events(random, new int[] {2, 2}, true), Mode.HELD, 0, false, true));
        scenarios.add(new Scenario(1, events(random, new int[] {2}, false), Mode.HELD, 0, false, true));
        scenarios.add(new Scenario(2, events(random, new int[] {60, 0, 30}, true), Mode.SLOW, 0, false, false));
        for (int n = 0; n < 10; n++) {
            int maxBacklog = new int[] {1, 2, 3, 5, 8}[random.nextInt(5)];
            int handlers = 1 + random.nextInt(3);
            Mode mode = Mode.values()[random.nextInt(3)];
            boolean closeWhileHeld = mode == Mode.HELD && random.nextInt(3) == 0;
            int[] counts = new int[handlers];
            if (closeWhileHeld) {
                // At most maxBacklog + 1 events in all, so that every handler is done while the writer is held.
                int total = random.nextInt(4) == 0 ? 1 + random.nextInt(maxBacklog + 1) : maxBacklog + 1;
                for (int i = 0; i < total; i++) {
                    counts[random.nextInt(handlers)]++;
                }
            } else {
                for (int h = 0; h < handlers; h++) {
                    counts[h] = new int[] {0, 1, maxBacklog, 3 * maxBacklog + 7, 60}[random.nextInt(5)];
                }
            }
            boolean interrupt = mode == Mode.HELD && !closeWhileHeld && random.nextBoolean();
            scenarios.add(new Scenario(maxBacklog, events(random, counts, random.nextBoolean()), mode, 0, interrupt,
                    closeWhileHeld));
        }
        for (int n = 0; n < scenarios.size(); n++) {
            new Run("seed " + seed + ", scenario " + (n + 1), scenarios.get(n)).check();
        }
    }

    /**
     * The writer writes one event at a time, when the test lets it, while three handlers wait for
     * room (maxBacklog 1). Each time it takes an event, one slot frees up and every waiting
     * handler wants it: only one may have it. Between two steps, once the writer sits in its
     * next write and the handlers sit still, the backlog is counted.
     */
    @Test
    @Order(6)
    @DisplayName("the writer frees one slot at a time while three handlers wait for it: only one gets each slot")
    void aFreedSlotGoesToOneHandler() throws Exception {
        int handlers = 3;
        int perHandler = 5;
        int steps = 8;
        java.util.concurrent.Semaphore mayFinish = new java.util.concurrent.Semaphore(0);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> refused = new java.util.concurrent.atomic.AtomicReference<>();
        EventPipeline pipeline = new EventPipeline(event -> {
            started.incrementAndGet();
            holding.incrementAndGet();
            mayFinish.acquire();
        }, 1);
        List<Thread> submitters = new ArrayList<>();
        for (int h = 0; h < handlers; h++) {
            int me = h;
            submitters.add(Thread.ofPlatform().name("request-handler-" + (me + 1)).start(() -> {
                try {
                    for (int i = 0; i < perHandler; i++) {
                        pipeline.submit(new Event(me * 100L + i, "viewed record " + (me * 100 + i)));
                        accepted.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    // the test's clean-up
                } catch (RuntimeException e) {
                    refused.compareAndSet(null, Thread.currentThread().getName() + "'s submit() threw " + describe(e));
                }
            }));
        }
        try {
            for (int step = 1; step <= steps; step++) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(1500, 6000));
                // The writer sits in its write of event #step: nothing is on its way to it.
                while (holding.get() < step && refused.get() == null && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                if (refused.get() != null) {
                    throw Pitfalls.lostWork(refused.get() + " while the writer, freeing one slot at a time, was"
                            + " on event #" + holding.get() + " (maxBacklog = 1, three handlers). Nobody interrupted it:"
                            + " submit() must not fail when the backlog is full; it waits for room.");
                }
                if (holding.get() < step) {
                    break; // the pipeline stopped handing events to the writer: other tests say why
                }
                int before;
                do { // the handlers sit still: each is done or waits for room
                    before = accepted.get();
                    Thread.sleep(20);
                } while (accepted.get() != before && System.nanoTime() < deadline);
                int waiting = accepted.get() - started.get();
                if (waiting > 1) {
                    throw Pitfalls.resourceLeak("The writer wrote one event at a time while " + handlers + " request"
                            + " handlers waited for room, with maxBacklog = 1. After it had started on event #" + step
                            + ", " + waiting + " accepted events were waiting for it (submit() had returned "
                            + accepted.get() + " times, the writer had started on " + started.get() + "). The freed"
                            + " slot went to more than one handler: looking for room and taking it must be one step"
                            + " (a bounded queue's put() is), or every handler that saw the last free slot takes it.");
                }
                mayFinish.release();
            }
        } finally {
            mayFinish.release(handlers * perHandler + 1);
            for (Thread t : submitters) {
                t.join(Patience.millis(1000, 4000));
                if (t.isAlive()) {
                    t.interrupt();
                }
            }
            pipeline.close();
        }
    }

    /** Sits still in a wait with no limit or for a monitor: not running, nor in a pause of its own. */
    private static boolean parked(Thread t) {
        Thread.State state = t.getState();
        return state == Thread.State.WAITING || state == Thread.State.BLOCKED;
    }

    /** Until every thread has ended or sits still in a wait, with {@code count} unchanged, seen twice. */
    private static boolean sitStill(List<Thread> threads, AtomicInteger count, long withinMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs);
        int confirmations = 0;
        while (confirmations < 2) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            int before = count.get();
            boolean quiet = threads.stream().allMatch(t -> !t.isAlive() || parked(t)
                    || t.getState() == Thread.State.TIMED_WAITING);
            Thread.sleep(confirmations == 0 ? 10 : 30);
            boolean still = quiet && count.get() == before
                    && threads.stream().allMatch(t -> !t.isAlive() || parked(t)
                    || t.getState() == Thread.State.TIMED_WAITING);
            confirmations = still ? confirmations + 1 : 0;
        }
        return true;
    }

    /** Each handler's events; some equal the end marker by value, some repeat an earlier event's values. */
    private static List<List<Event>> events(Random random, int[] counts, boolean oddValues) {
        List<List<Event>> all = new ArrayList<>();
        long seq = 1;
        for (int count : counts) {
            List<Event> mine = new ArrayList<>();
            for (int i = 0; i < count; i++, seq++) {
                int pick = oddValues ? random.nextInt(8) : 7;
                mine.add(switch (pick) {
                    case 0 -> markerLike(random);
                    case 1 -> new Event(seq, null);
                    case 2 -> new Event(0, "");
                    default -> new Event(seq, "viewed record " + (1000 + seq));
                });
            }
            all.add(mine);
        }
        return all;
    }

    // ------------------------------------------------------------------ scenarios

    enum Mode { FAST, SLOW, HELD }

    /**
     * @param events         what each request handler submits, in order
     * @param writer         FAST writes at once; SLOW takes about 20 µs a write; HELD holds the writer on its
     *                       first event until the test lets it go
     * @param holdMs         how long the writer stays held after the handlers have settled
     * @param interruptOne   interrupt one handler waiting inside submit() while the writer is held
     * @param closeWhileHeld call close() while the writer is still held (every handler done by then)
     * @param staggered      start each handler once the one before is done or sits still inside submit(), the
     *                       backlog full; the handler to interrupt is then the one that came last
     */
    record Scenario(int maxBacklog, List<List<Event>> events, Mode writer, long holdMs, boolean interruptOne,
                    boolean closeWhileHeld, boolean staggered) {

        Scenario(int maxBacklog, List<List<Event>> events, Mode writer, long holdMs, boolean interruptOne,
                 boolean closeWhileHeld) {
            this(maxBacklog, events, writer, holdMs, interruptOne, closeWhileHeld, false);
        }

        int total() {
            return events.stream().mapToInt(List::size).sum();
        }

        String describe() {
            StringBuilder s = new StringBuilder("maxBacklog " + maxBacklog + ", ");
            s.append(events.size() == 1 ? "one handler submitting " + count(events.get(0).size(), "event")
                    : events.size() + (staggered ? " handlers one after the other submitting "
                    : " handlers at once submitting ") + String.join("+",
                    events.stream().map(e -> String.valueOf(e.size())).toList()) + " events");
            long markers = events.stream().flatMap(List::stream).filter(EventPipelineTest::isMarkerLike).count();
            if (markers > 0) {
                s.append(" (").append(markers).append(markers == 1 ? " of them equal" : " of them each equal")
                        .append(" to a value an end marker might take)");
            }
            s.append(switch (writer) {
                case FAST -> ", the writer fast";
                case SLOW -> ", the writer slow (about 20 µs an event)";
                case HELD -> ", the writer held on its first event until every handler was done or waiting in"
                        + " submit()" + (holdMs > 0 ? ", and " + holdMs + " ms longer" : "");
            });
            if (staggered) {
                s.append(", each handler started once the one before waited in submit() with the backlog full");
            }
            if (interruptOne) {
                s.append(staggered ? ", then the handler that came last interrupted while it waited behind the"
                        + " others" : ", then one waiting handler interrupted");
            }
            s.append(closeWhileHeld ? ", close() called while the writer was still held"
                    : ", close() called after every handler was done");
            return s.toString();
        }
    }

    /** One scenario run: threads, observations, and the checks in the order that explains a failure best. */
    private static final class Run {
        /** How long the handlers get to sit still (stretched on a busy machine, where they may hardly run). */
        private static final long SETTLE_DEADLINE_MS = Patience.millis(1500, 6000);
        private static final long INTERRUPT_GRACE_MS = Patience.millis(1000, 4000);
        /** How long a run may go without any event accepted or written before it counts as stuck. */
        private static final long STALL_MS = 1000;
        /** Longer than any time limit of the learner's once shortened (60 ms at most), with room for a busy machine. */
        private static final long TIMED_CLOSE_HOLD_MS = 200;

        private final String where;
        private final Scenario s;
        private final CountDownLatch writerMayGo = new CountDownLatch(1);
        private final AtomicInteger started = new AtomicInteger();
        private final List<Event> written = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger acceptedTotal = new AtomicInteger();
        private final List<List<Event>> accepted = new ArrayList<>();
        private final Throwable[] thrown;
        /** What each handler's submit() threw before the clean-up, which interrupts the handlers still inside. */
        private Throwable[] thrownBeforeCleanUp;
        private final Thread[] handlers;
        private volatile Thread writerThread;

        // observations
        /** The backlog once the handlers sat still with the writer held; null if they never did. */
        private Backlog atHold;
        /** The backlog measured again once a waiting handler was interrupted, the writer still held. */
        private Backlog afterInterrupt;
        private int interrupted = -1;
        private boolean interruptedStillInside;
        private List<String> stuckAfterRelease = List.of();
        private String stuckFacts = "";
        private Thread closer;
        private volatile boolean closeReturned;
        private volatile Throwable closeThrew;
        private volatile int writtenWhenCloseReturned = -1;
        private boolean closeReturnedWhileHeld;
        private volatile boolean writerInterruptedWhileHeld;
        private boolean writerAliveAfterClose;
        private int writtenAfterClose = -1;

        Run(String where, Scenario scenario) {
            this.where = where;
            this.s = scenario;
            this.thrown = new Throwable[scenario.events().size()];
            this.handlers = new Thread[scenario.events().size()];
            for (int h = 0; h < handlers.length; h++) {
                accepted.add(Collections.synchronizedList(new ArrayList<>()));
            }
        }

        private String scenario() {
            return "(" + where + ": " + s.describe() + ")";
        }

        void check() throws Exception {
            execute();
            verify();
        }

        private void execute() throws Exception {
            EventPipeline pipeline = new EventPipeline(event -> {
                writerThread = Thread.currentThread();
                started.incrementAndGet();
                if (s.writer() == Mode.HELD) {
                    try {
                        writerMayGo.await(); // the audit database is slow: the test decides when it recovers
                        if (s.closeWhileHeld() && written.size() == acceptedTotal.get() - 1) {
                            holdTheLastWrite();
                        }
                    } catch (InterruptedException e) {
                        writerInterruptedWhileHeld = true; // a real write to the database would fail here
                        throw e;
                    }
                } else if (s.writer() == Mode.SLOW) {
                    LockSupport.parkNanos(20_000);
                }
                written.add(event);
            }, s.maxBacklog());
            try {
                for (int h = 0; h < handlers.length; h++) {
                    int me = h;
                    handlers[h] = Thread.ofPlatform().name("request-handler-" + (h + 1)).start(() -> {
                        try {
                            for (Event event : s.events().get(me)) {
                                pipeline.submit(event);
                                accepted.get(me).add(event);
                                acceptedTotal.incrementAndGet();
                            }
                        } catch (Throwable t) {
                            thrown[me] = t;
                        }
                    });
                    if (s.staggered()) {
                        awaitStillWithBacklogFull();
                    }
                }
                if (s.writer() == Mode.HELD) {
                    atHold = settle();
                    if (s.holdMs() > 0) {
                        Thread.sleep(s.holdMs());
                    }
                    // Only a handler seen sitting still inside submit() is waiting for room: on a machine so
                    // busy that the handlers never sat still, no one is interrupted.
                    if (s.interruptOne() && atHold != null) {
                        interruptAWaitingHandler();
                        // The writer is still held and the interrupted handler's event was not accepted: the
                        // backlog may not grow.
                        afterInterrupt = settle();
                    }
                    if (s.closeWhileHeld()) {
                        // The scenario promises every handler done before close() (at most maxBacklog + 1
                        // events, the writer holding the first). On a busy machine settle() may return before
                        // the writer has taken its first event, with one handler still waiting for room: then
                        // its event and close() would race for the slot. Wait for the handlers first.
                        long handlersDone = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * SETTLE_DEADLINE_MS);
                        for (Thread handler : handlers) {
                            long left = handlersDone - System.nanoTime();
                            if (left > 0) {
                                handler.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                            }
                        }
                        closer = startCloser(pipeline);
                        // Let close() run until it waits (or returns), then a little longer.
                        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_DEADLINE_MS);
                        while (closer.getState() == Thread.State.RUNNABLE && System.nanoTime() < until) {
                            Thread.sleep(1);
                        }
                        closer.join(5);
                        if (closer.getState() == Thread.State.TIMED_WAITING) {
                            // close() waits with a time limit (shortened to 60 ms at most): keep the writer
                            // held until that limit has run out, to see what close() does then.
                            closer.join(TIMED_CLOSE_HOLD_MS);
                        }
                        closeReturnedWhileHeld = closeReturned;
                    }
                    writerMayGo.countDown();
                }
                List<String> stuck = new ArrayList<>();
                for (Thread handler : handlers) {
                    awaitWhileProgressing(handler);
                    if (handler.isAlive()) {
                        stuck.add(handler.getName());
                    }
                }
                if (!stuck.isEmpty()) {
                    Thread writer = writerThread;
                    int accepted = acceptedTotal.get();
                    stuckFacts = ", with " + accepted + (accepted == 1 ? " event" : " events") + " accepted and " + written.size() + " written"
                            + (writer != null && !writer.isAlive() ? "; the writer thread had ended, before close()"
                            + " was called" : "") + firstUnwritten();
                    stuckAfterRelease = stuck;
                    return;
                }
                if (closer == null) {
                    closer = startCloser(pipeline);
                }
                awaitWhileProgressing(closer);
                if (!closeReturned) {
                    stuckFacts = "; " + written.size() + " of " + acceptedTotal.get() + " accepted events were written"
                            + firstUnwritten();
                }
                if (closeReturned) {
                    Thread writer = writerThread;
                    if (writer != null) {
                        writer.join(200);
                        writerAliveAfterClose = writer.isAlive();
                    }
                    writtenAfterClose = written.size();
                }
            } finally {
                thrownBeforeCleanUp = thrown.clone();
                cleanUp(pipeline);
            }
        }

        /** Waits for {@code t} to end for as long as events keep being accepted or written, and STALL_MS more. */
        private void awaitWhileProgressing(Thread t) throws InterruptedException {
            int progress = -1;
            long lastProgress = System.nanoTime();
            while (t.isAlive() && System.nanoTime() - lastProgress < TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
                int now = acceptedTotal.get() + written.size();
                if (now != progress) {
                    progress = now;
                    lastProgress = System.nanoTime();
                }
                t.join(10);
            }
        }

        /**
         * Waits until every handler has finished or sits still inside submit(), then measures the backlog;
         * null if they never sat still (a machine this busy), and nothing was measured.
         */
        private Backlog settle() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_DEADLINE_MS);
            boolean confirmed = false;
            while (true) {
                boolean settled = stillFor(confirmed ? 60 : 10);
                if (!settled && System.nanoTime() > deadline) {
                    return null; // the handlers never sat still (a machine this busy): no backlog measured this time
                }
                if (settled) {
                    int waiting = acceptedTotal.get() - started.get();
                    boolean someoneWaits = Arrays.stream(handlers).anyMatch(Thread::isAlive);
                    boolean looksWrong = waiting > s.maxBacklog() || (someoneWaits && waiting < s.maxBacklog());
                    if (!looksWrong || confirmed) {
                        return new Backlog(waiting, started.get(),
                                Arrays.stream(handlers).filter(Thread::isAlive).map(Thread::getName).toList());
                    }
                    confirmed = true; // look again, longer, before calling it wrong
                }
            }
        }

        /** Accepted events waiting for the writer, events it had started on, and the handlers inside submit(). */
        private record Backlog(int waiting, int started, List<String> waitingHandlers) {
        }

        private boolean stillFor(long windowMs) throws InterruptedException {
            if (!quiet()) {
                Thread.sleep(1);
                return false;
            }
            int acceptedBefore = acceptedTotal.get();
            int startedBefore = started.get();
            Thread.sleep(windowMs);
            return quiet() && acceptedBefore == acceptedTotal.get() && startedBefore == started.get();
        }

        /**
         * Until the handlers started so far have each finished or sat still inside submit() with the backlog
         * full (looked at twice), for SETTLE_DEADLINE_MS at most.
         */
        private void awaitStillWithBacklogFull() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_DEADLINE_MS);
            int confirmations = 0;
            while (confirmations < 2 && System.nanoTime() < deadline) {
                boolean full = acceptedTotal.get() - started.get() >= s.maxBacklog() && started.get() > 0;
                boolean done = Arrays.stream(handlers).noneMatch(t -> t != null && t.isAlive());
                confirmations = stillFor(confirmations == 0 ? 10 : 30) && (full || done) ? confirmations + 1 : 0;
            }
        }

        private boolean quiet() {
            for (Thread handler : handlers) {
                if (handler == null) {
                    continue; // not started yet
                }
                Thread.State state = handler.getState();
                if (state != Thread.State.TERMINATED && state != Thread.State.WAITING
                        && state != Thread.State.TIMED_WAITING && state != Thread.State.BLOCKED) {
                    return false;
                }
            }
            return true;
        }

        private void interruptAWaitingHandler() throws InterruptedException {
            for (int i = 0; i < handlers.length; i++) {
                // in a staggered scenario, the handler that came last: it waits behind the others
                int h = s.staggered() ? handlers.length - 1 - i : i;
                Thread.State state = handlers[h].getState();
                if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                        || state == Thread.State.BLOCKED) {
                    interrupted = h;
                    handlers[h].interrupt();
                    handlers[h].join(INTERRUPT_GRACE_MS);
                    interruptedStillInside = handlers[h].isAlive();
                    return;
                }
            }
        }

        /**
         * Before the last write, gives close() time to return early, if it would: 50 ms, or while close()
         * waits with a time limit, until that limit (shortened to 60 ms at most) has run out. No wait once
         * close() sits in Thread.join with no limit, waiting for this writer thread to end.
         */
        private void holdTheLastWrite() throws InterruptedException {
            long start = System.nanoTime();
            while (!closeReturned && closer.isAlive() && !joiningForever(closer)) {
                long allowed = closer.getState() == Thread.State.TIMED_WAITING ? TIMED_CLOSE_HOLD_MS : 50;
                if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(allowed)) {
                    return;
                }
                LockSupport.parkNanos(200_000);
                if (Thread.interrupted()) {
                    throw new InterruptedException("the write was interrupted");
                }
            }
        }

        private static boolean joiningForever(Thread t) {
            if (t.getState() != Thread.State.WAITING) {
                return false;
            }
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().equals("java.lang.Thread") && frame.getMethodName().startsWith("join")) {
                    return true;
                }
            }
            return false;
        }

        private Thread startCloser(EventPipeline pipeline) {
            return Thread.ofPlatform().name("closer").start(() -> {
                try {
                    pipeline.close();
                    writtenWhenCloseReturned = written.size();
                    closeReturned = true;
                } catch (Throwable t) {
                    closeThrew = t;
                }
            });
        }

        /** Leaves no thread behind, whatever the pipeline did, so that a failure is reported as itself. */
        private void cleanUp(EventPipeline pipeline) throws InterruptedException {
            writerMayGo.countDown();
            for (Thread handler : handlers) {
                if (handler != null && handler.isAlive()) {
                    handler.interrupt();
                    handler.join(200);
                }
            }
            if (closer == null) {
                closer = startCloser(pipeline);
                closer.join(200);
            }
            if (closer.isAlive()) {
                closer.interrupt();
                closer.join(200);
            }
            Thread writer = writerThread;
            if (writer != null && writer.isAlive()) {
                writer.interrupt();
                writer.join(200);
            }
        }

        // -------------------------------------------------------------- checks

        private void verify() {
            Throwable[] thrown = thrownBeforeCleanUp;
            for (int h = 0; h < handlers.length; h++) {
                Throwable t = thrown[h];
                if (t != null && !(h == interrupted && t instanceof InterruptedException)) {
                    throw Pitfalls.lostWork(name(h) + "'s submit() threw " + describe(t) + " for its event #"
                            + (accepted.get(h).size() + 1) + ", after " + accepted.get(h).size() + " of its events"
                            + " were accepted " + scenario() + ". Nobody interrupted it: submit() must not fail"
                            + " when the backlog is full; it waits for room.");
                }
            }
            if (interrupted >= 0) {
                int h = interrupted;
                if (interruptedStillInside) {
                    throw new AssertionError(name(h) + " was interrupted while it waited inside submit() for"
                            + " room, and " + INTERRUPT_GRACE_MS + " ms later submit() had neither returned nor thrown"
                            + " (the writer was held all that time) " + scenario() + ". A handler interrupted while it"
                            + " waits must get InterruptedException at once.");
                }
                if (!(thrown[h] instanceof InterruptedException)) {
                    throw new AssertionError(name(h) + " was interrupted while it waited inside submit() for room,"
                            + " and submit() returned normally instead of throwing InterruptedException"
                            + (thrown[h] == null ? "" : " (it later threw " + describe(thrown[h]) + ")")
                            + "; in all, submit() returned normally for " + accepted.get(h).size() + " of its "
                            + s.events().get(h).size() + " events " + scenario() + ". The handler must learn"
                            + " that its event was not accepted.");
                }
            }
            if (!stuckAfterRelease.isEmpty()) {
                throw Pitfalls.deadlock(String.join(" and ", stuckAfterRelease) + " still waited inside submit() "
                        + STALL_MS + " ms after the last event was accepted or written, the writer free to write"
                        + stuckFacts + " " + scenario()
                        + ". Waiting for room must end when the writer takes an event.");
            }
            if (closeThrew != null) {
                throw new AssertionError("close() threw " + describe(closeThrew) + " " + scenario());
            }
            if (closeReturnedWhileHeld) {
                throw Pitfalls.lostWork("close() returned while the writer was still held on its first event, with "
                        + acceptedTotal.get() + " accepted events and " + written.size() + " written"
                        + (writerInterruptedWhileHeld ? ", after the writer had been interrupted in that write" : "")
                        + " " + scenario() + ". close() must write everything accepted before it returns, however"
                        + " long the writer is held up.");
            }
            if (!closeReturned) {
                throw Pitfalls.deadlock("close() had not returned " + STALL_MS + " ms after the last event was"
                        + " written, every handler done and the writer free to write" + stuckFacts + " " + scenario()
                        + ".");
            }
            if (writtenWhenCloseReturned < writtenAfterClose) {
                throw Pitfalls.lostWork("close() returned when " + writtenWhenCloseReturned + " of "
                        + acceptedTotal.get() + " accepted events had been written, and the writer went on to write "
                        + (writtenAfterClose - writtenWhenCloseReturned) + " more after that " + scenario()
                        + ". close() must write everything accepted before it returns.");
            }
            if (writerAliveAfterClose) {
                throw Pitfalls.leak("close() returned, but the writer thread '" + writerThread.getName()
                        + "' was still alive 200 ms later " + scenario() + ". close() ends the writer thread.");
            }
            verifyEveryEventOnce();
            if (atHold != null && atHold.waiting() > s.maxBacklog()) {
                throw Pitfalls.resourceLeak("The writer was held on its first event, and the request handlers"
                        + " kept submitting: " + atHold.waiting() + " accepted events piled up waiting for the writer"
                        + " (submit() had returned " + times(atHold.waiting() + atHold.started()) + ", the writer had"
                        + " started on " + atHold.started() + "), with maxBacklog = " + s.maxBacklog() + " "
                        + scenario() + ". Nothing pushed back on the producers enough: a queue between them grows as"
                        + " long as the database is slower than the traffic, until the heap is gone (in Go: a"
                        + " channel buffer sized 'big enough', or an ever-growing slice). A warning or a larger"
                        + " buffer only delays it. When maxBacklog events are waiting, submit() must wait for the"
                        + " writer to take one.");
            }
            if (afterInterrupt != null && afterInterrupt.waiting() > s.maxBacklog()) {
                throw Pitfalls.resourceLeak("The writer was held on its first event, and one handler waiting inside"
                        + " submit() was interrupted (it got InterruptedException, its event not accepted); the writer"
                        + " still held, " + afterInterrupt.waiting() + " accepted events were then waiting for it, with"
                        + " maxBacklog = " + s.maxBacklog() + " " + scenario() + ": the backlog grew while the writer"
                        + " took nothing. An interrupted wait for room must make none (a permit or a count given back"
                        + " that was never taken lets one more event in).");
            }
            if (atHold != null && !atHold.waitingHandlers().isEmpty() && atHold.waiting() < s.maxBacklog()) {
                throw new AssertionError(String.join(" and ", atHold.waitingHandlers()) + " waited inside submit()"
                        + " while only " + atHold.waiting() + " accepted events were waiting for the writer (submit()"
                        + " had returned " + times(atHold.waiting() + atHold.started()) + ", the writer had started on "
                        + atHold.started()
                        + "), with maxBacklog = " + s.maxBacklog() + " " + scenario() + ". While fewer than"
                        + " maxBacklog events wait, submit() returns at once: a request handler waits for the audit"
                        + " database only when the backlog is full (an event the writer has started on no longer"
                        + " waits).");
            }
        }

        /** Each handler's accepted events, written once each, in its order; nothing else written. */
        private void verifyEveryEventOnce() {
            Map<Event, int[]> owner = new IdentityHashMap<>(); // event -> {handler, index}
            for (int h = 0; h < handlers.length; h++) {
                List<Event> mine = s.events().get(h);
                for (int i = 0; i < mine.size(); i++) {
                    owner.put(mine.get(i), new int[] {h, i});
                }
            }
            List<Event> out;
            synchronized (written) {
                out = new ArrayList<>(written);
            }
            Map<Event, Integer> times = new IdentityHashMap<>();
            int[] lastIndex = new int[handlers.length];
            Arrays.fill(lastIndex, -1);
            for (Event e : out) {
                int[] who = owner.get(e);
                if (who == null) {
                    throw new AssertionError("The writer was handed " + e + ", which no handler submitted "
                            + scenario() + ".");
                }
                if (times.merge(e, 1, Integer::sum) > 1) {
                    throw Pitfalls.race(name(who[0]) + "'s event #" + (who[1] + 1) + " (" + e + ") was written twice "
                            + scenario() + ". Each accepted event is written once.");
                }
                boolean wasAccepted = who[1] < accepted.get(who[0]).size();
                if (!wasAccepted) {
                    throw new AssertionError(name(who[0]) + "'s event #" + (who[1] + 1) + " (" + e + ") was written,"
                            + " although its submit() threw " + describe(thrownBeforeCleanUp[who[0]]) + " " + scenario()
                            + ". An event whose submit() failed was not accepted: the handler may retry it, and"
                            + " then it would be written twice.");
                }
                if (who[1] < lastIndex[who[0]]) {
                    throw Pitfalls.lostWork(name(who[0]) + "'s event #" + (who[1] + 1) + " was written after its"
                            + " event #" + (lastIndex[who[0]] + 1) + " " + scenario() + ": audit events must be"
                            + " written in the order they were submitted.");
                }
                lastIndex[who[0]] = who[1];
            }
            for (int h = 0; h < handlers.length; h++) {
                List<Event> mine = accepted.get(h);
                List<String> missing = new ArrayList<>();
                for (int i = 0; i < mine.size(); i++) {
                    if (!times.containsKey(mine.get(i))) {
                        missing.add("#" + (i + 1) + " " + mine.get(i));
                    }
                }
                if (!missing.isEmpty()) {
                    throw Pitfalls.lostWork(name(h) + "'s submit() returned for " + mine.size() + " events, but the"
                            + " writer never wrote " + missing.size() + " of them: " + head(missing) + " "
                            + scenario() + ". An event submit() accepted must be written; dropped audit events are"
                            + " records lost without a trace."
                            + (writerInterruptedWhileHeld
                                    ? " The writer thread was interrupted during a write (the test never interrupts"
                                            + " it), and that write failed: close() must let the writer finish,"
                                            + " however long it is held up."
                                    : " If submit() drops an event when the backlog is full, make it wait for room"
                                            + " instead; and close() must write every event accepted before it ends"
                                            + " the writer."));
                }
            }
        }

        /** The first accepted event not written, in the order of a single handler's submissions. */
        private String firstUnwritten() {
            List<Event> out;
            synchronized (written) {
                out = new ArrayList<>(written);
            }
            Map<Event, Boolean> seen = new IdentityHashMap<>();
            out.forEach(e -> seen.put(e, true));
            for (int h = 0; h < handlers.length; h++) {
                List<Event> mine;
                synchronized (accepted.get(h)) {
                    mine = new ArrayList<>(accepted.get(h));
                }
                for (int i = 0; i < mine.size(); i++) {
                    if (!seen.containsKey(mine.get(i))) {
                        return "; the first accepted event not written was " + name(h) + "'s #" + (i + 1) + ", "
                                + mine.get(i) + (isMarkerLike(mine.get(i))
                                ? " (a value an end marker might take: an event all the same)" : "");
                    }
                }
            }
            return "";
        }

        private String name(int h) {
            return "request-handler-" + (h + 1);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " (\"" + t.getMessage() + "\")");
    }

    private static String count(int n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }

    private static String head(List<String> items) {
        return String.join(", ", items.subList(0, Math.min(3, items.size())))
                + (items.size() > 3 ? " and " + (items.size() - 3) + " more" : "");
    }
}
