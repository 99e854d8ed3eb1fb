package pinnedcarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.LiveThreads;
import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The test JVM runs with -Djdk.virtualThreadScheduler.parallelism=1: one carrier thread, as in
 * a container with one CPU.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TriageServiceTest {

    /**
     * An application has usually run virtual threads before the triage service is loaded (a web server's, a
     * client's): the scheduler is made then, with the carriers the JVM's flags give it, and keeps them.
     */
    static {
        try {
            // a JDK method, not a lambda of this class: that would wait for this initializer to end
            Thread.ofVirtual().name("earlier-virtual-thread").start(Thread::onSpinWait).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long a nurse's lookup may take while the model runs (the database answers at once). */
    private static final long LOOKUP_BUDGET_MS = 700;

    /** A risk model that computes (never blocks) until the test has seen what it needs. */
    static final class BusyModel implements TriageService.RiskModel {
        final CountDownLatch running = new CountDownLatch(1);
        volatile boolean finish;
        volatile Thread ranOn;

        @Override
        public double score(String cohort) {
            ranOn = Thread.currentThread();
            running.countDown();
            long cap = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            double x = 0;
            while (!finish && System.nanoTime() < cap) {
                for (int i = 0; i < 1_000; i++) {
                    x += Math.sqrt(i + x);
                }
            }
            return x > 0 ? 0.42 : 0.0;
        }
    }

    /**
     * A scoring run that goes on until the test ends it and ignores interrupts meanwhile, as a computation would,
     * but without using a core: a close() that gives up on it gets the CPU to return at once on a busy machine.
     */
    static final class StubbornModel implements TriageService.RiskModel {
        final CountDownLatch running = new CountDownLatch(1);
        private final CountDownLatch finished = new CountDownLatch(1);
        volatile boolean finish;
        volatile Thread ranOn;

        @Override
        public double score(String cohort) {
            ranOn = Thread.currentThread();
            running.countDown();
            boolean interrupted = false;
            while (!finish) {
                try {
                    finished.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return 0.42;
        }

        void finish() {
            finish = true;
            finished.countDown();
        }
    }

    @Test
    @Order(1)
    @DisplayName("a nurse's lookup is answered while the risk model is computing")
    void lookupAnsweredWhileModelRuns() throws Exception {
        BusyModel model = new BusyModel();
        AtomicInteger fetchesStarted = new AtomicInteger();
        TriageService service = new TriageService(id -> {
            fetchesStarted.incrementAndGet();
            return "record of " + id;
        }, model);
        try {
            Future<Double> scoring = service.rescore("cohort-7");
            if (!model.running.await(2, TimeUnit.SECONDS)) {
                fail("the risk model never started after rescore(\"cohort-7\")");
            }
            Future<String> lookup = service.lookup("P-0042");
            String record = null;
            long t0 = System.nanoTime();
            try {
                record = lookup.get(LOOKUP_BUDGET_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // A model on a platform thread cannot hold the carrier: a late lookup then only
                // means a very busy machine, so give it more time before judging.
                Thread ranOn = model.ranOn;
                if (ranOn != null && !ranOn.isVirtual()) {
                    try {
                        record = lookup.get(1500, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException again) {
                        // reported below
                    }
                }
            }
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            boolean started = fetchesStarted.get() > 0;
            Thread modelThread = model.ranOn;
            model.finish = true;
            scoring.get(3, TimeUnit.SECONDS);
            if (record == null) {
                String where = modelThread == null ? "a thread" : modelThread.isVirtual()
                        ? "a virtual thread" : "platform thread " + modelThread.getName();
                throw Pitfalls.timeout("The lookup for patient P-0042 " + (started
                        ? "started, but still had no answer"
                        : "had not even started") + " after " + waitedMs + " ms, although the records"
                        + " database answers at once. The risk model runs on " + where + " and computes"
                        + " without ever blocking. A virtual thread gives its carrier back only when it blocks:"
                        + " there is no time slicing, so a long computation keeps the carrier, and with one"
                        + " carrier (a 1-CPU pod) no other virtual thread runs until the model is done."
                        + " This is not pinning by synchronized (since JDK 24 a virtual thread that blocks"
                        + " inside synchronized unmounts like anywhere else): swapping the lock for a"
                        + " ReentrantLock changes nothing. Run CPU-bound work on platform threads of its own,"
                        + " and keep virtual threads for work that waits." + carriersNote());
            }
            assertEquals("record of P-0042", record, "the record the lookup returned");
        } finally {
            model.finish = true;
            service.close();
        }
    }

    @Test
    @Order(2)
    @DisplayName("a thousand lookups wait on the records database together")
    void manyLookupsWaitTogether() throws Exception {
        final int nurses = 1_000;
        AtomicInteger arrived = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger waiting = new AtomicInteger();
        CountDownLatch answer = new CountDownLatch(1);
        // The database keeps each lookup waiting until all of them are waiting at once
        // (what a slow database does to lookups that each have their own thread); if no new
        // lookup arrives for 300 ms, the test lets them all through and reports.
        TriageService service = new TriageService(id -> {
            peak.accumulateAndGet(waiting.incrementAndGet(), Math::max);
            try {
                if (arrived.incrementAndGet() == nurses) {
                    answer.countDown();
                }
                answer.await();
            } finally {
                waiting.decrementAndGet();
            }
            return "record of " + id;
        }, cohort -> 0.0);
        boolean gaveUp = false;
        List<Future<String>> lookups = new ArrayList<>();
        try {
            for (int i = 0; i < nurses; i++) {
                lookups.add(service.lookup("P-" + i));
            }
            int last = -1;
            int quietTicks = 0;
            while (!answer.await(10, TimeUnit.MILLISECONDS)) {
                int now = arrived.get();
                quietTicks = now == last ? quietTicks + 1 : 0;
                last = now;
                if (quietTicks >= 30) {
                    gaveUp = true;
                    break;
                }
            }
        } finally {
            answer.countDown();
        }
        try {
            if (gaveUp) {
                throw Pitfalls.timeout("Only " + peak.get() + " of " + nurses + " lookups were ever waiting on the"
                        + " records database at the same time: the rest queued behind a fixed pool of threads."
                        + " Lookups spend their time waiting, which is exactly what virtual threads are for:"
                        + " keep them on virtual threads, and move only the CPU-bound model off them.");
            }
            // Every lookup has its answer before close(), which may stop a lookup still in progress.
            for (int i = 0; i < nurses; i++) {
                assertEquals("record of P-" + i, lookups.get(i).get(5, TimeUnit.SECONDS), "lookup " + i);
            }
        } finally {
            service.close();
        }
    }

    @Test
    @Order(3)
    @DisplayName("close() leaves no lookup running behind it")
    void closeLeavesNoLookupBehind() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> lookupThread = new java.util.concurrent.atomic.AtomicReference<>();
        TriageService service = new TriageService(id -> {
            lookupThread.set(Thread.currentThread());
            entered.countDown();
            answer.await(); // the database is slow; an interrupt ends the wait
            return "record of " + id;
        }, cohort -> 0.0);
        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = null;
        try {
            service.lookup("P-0007");
            if (!entered.await(1, TimeUnit.SECONDS)) {
                throw new AssertionError("The lookup of P-0007 never reached the records database within 1 s.");
            }
            closer = Thread.ofPlatform().name("test-close").start(() -> {
                service.close();
                closed.countDown();
            });
            if (closed.await(300, TimeUnit.MILLISECONDS)) {
                Thread t = lookupThread.get();
                t.join(300);
                if (t.isAlive()) {
                    throw Pitfalls.leak("close() returned while the lookup of P-0007 was still waiting on the"
                            + " records database, and 300 ms later its thread is still alive: close() left it"
                            + " behind. close() must wait for the lookups in flight (or stop them) before it"
                            + " returns.");
                }
            }
        } finally {
            answer.countDown();
        }
        if (!closed.await(1, TimeUnit.SECONDS)) {
            throw Pitfalls.timeout("The lookup in flight was answered, but close() had not returned 1 s later.");
        }
        closer.join();
    }

    @Test
    @Order(5)
    @DisplayName("close() waits for a lookup whose database call does not answer to an interrupt")
    void closeWaitsForALookupThatCannotBeStopped() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AtomicInteger interrupts = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Thread> lookupThread = new java.util.concurrent.atomic.AtomicReference<>();
        TriageService service = new TriageService(id -> {
            lookupThread.set(Thread.currentThread());
            entered.countDown();
            boolean interrupted = false;
            while (true) { // a plain socket read: an interrupt does not end it
                try {
                    answer.await();
                    break;
                } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return "record of " + id;
        }, cohort -> 0.0);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> closeThrew = new AtomicReference<>();
        Thread closer = null;
        try {
            service.lookup("P-0011");
            if (!entered.await(1, TimeUnit.SECONDS)) {
                throw new AssertionError("The lookup of P-0011 never reached the records database within 1 s.");
            }
            closer = closeOnAnotherThread(service, closed, closeThrew);
            // Once close() waits, the thread calling it is interrupted: close() must still wait for the lookup.
            boolean callerInterrupted = interruptOnceWaiting(closer, closed);
            if (closed.await(Patience.millis(300, 1500), TimeUnit.MILLISECONDS)) {
                Thread t = lookupThread.get();
                if (t.isAlive()) {
                    throw Pitfalls.leak("close() " + (closeThrew.get() == null ? "returned" : "threw "
                            + closeThrew.get()) + " while the lookup of P-0011 was still inside its database "
                            + "call, which does not end on an interrupt (like a plain socket read)"
                            + (interrupts.get() > 0 ? "; the lookup was interrupted, and went on waiting" : "")
                            + ": close() left its thread behind. A lookup that cannot be stopped must be waited "
                            + "for before close() returns."
                            + (callerInterrupted ? " The thread calling close() was interrupted while close() waited:"
                            + " like ExecutorService.close(), go on waiting, and set the interrupt flag again before"
                            + " returning." : ""));
                }
            }
        } finally {
            answer.countDown();
        }
        long wait = Patience.millis(1000, 5000);
        if (!closed.await(wait, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.timeout("The lookup in flight was answered, but close() had not returned " + wait
                    + " ms later.");
        }
        closer.join();
        if (closeThrew.get() != null) {
            throw new AssertionError("close() threw " + closeThrew.get(), closeThrew.get());
        }
    }

    @Test
    @Order(4)
    @DisplayName("close() waits for a scoring run in progress, however long it computes, even when its caller is"
            + " interrupted")
    void closeLeavesNoModelBehind() throws Exception {
        StubbornModel model = new StubbornModel();
        TriageService service = new TriageService(id -> "record of " + id, model);
        Thread closer = null;
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> closeThrew = new AtomicReference<>();
        try {
            service.rescore("cohort-9");
            if (!model.running.await(2, TimeUnit.SECONDS)) {
                throw new AssertionError("the risk model never started after rescore(\"cohort-9\")");
            }
            long t0 = System.nanoTime();
            closer = closeOnAnotherThread(service, closed, closeThrew);
            // Once close() waits, the thread calling it is interrupted (a shutdown hook's thread may be):
            // close() must still leave nothing behind.
            boolean callerInterrupted = interruptOnceWaiting(closer, closed);
            // the model goes on computing after close() is called, without listening for interrupts
            if (closed.await(MODEL_AFTER_CLOSE_MS, TimeUnit.MILLISECONDS)) {
                long returnedMs = (System.nanoTime() - t0) / 1_000_000;
                Thread modelThread = model.ranOn;
                if (modelThread != null && modelThread.isAlive() && !model.finish) {
                    throw Pitfalls.leak("close() " + (closeThrew.get() == null ? "returned" : "threw "
                            + closeThrew.get()) + " after " + returnedMs + " ms while the risk model was"
                            + " still computing cohort-9, and its thread \"" + modelThread.getName() + "\" is still"
                            + " running: close() left it behind. A scoring run in progress must be waited for,"
                            + " however long it takes: a model that is computing does not stop when interrupted."
                            + (callerInterrupted ? " The thread calling close() was interrupted before close()"
                            + " returned: like ExecutorService.close(), go on waiting, and set the interrupt flag"
                            + " again before returning." : "")
                            + (Boolean.getBoolean("kata.shortTimeouts") ? " If close() waits with a time limit, or"
                            + " until a deadline of its own: the hidden tests shorten every time limit your code hands"
                            + " to the JDK (a second becomes a millisecond, and none is longer than 60 ms) and run the"
                            + " clock it reads a thousand times fast, so that a wait that gives up shows itself here."
                            : ""));
                }
            }
        } finally {
            model.finish();
        }
        long patience = Patience.millis(1000, 5000);
        if (!closed.await(patience, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.timeout("The scoring run ended, but close() had not returned " + patience + " ms later.");
        }
        closer.join();
        if (closeThrew.get() != null) {
            throw new AssertionError("close() threw " + closeThrew.get(), closeThrew.get());
        }
        Thread modelThread = model.ranOn;
        if (modelThread != null) {
            modelThread.join(patience);
            if (modelThread.isAlive()) {
                throw Pitfalls.leak("close() returned, but the risk model's thread \"" + modelThread.getName()
                        + "\" was still alive " + patience + " ms later: close() must leave no thread behind.");
            }
        }
    }

    @Test
    @Order(5)
    @DisplayName("the risk model runs one scoring run at a time")
    void scoringRunsOneAtATime() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<String> together = new java.util.concurrent.CopyOnWriteArrayList<>();
        // long enough for a second run to arrive, if one may (longer on a busy machine, where starting one takes long)
        long runMs = Patience.millis(100, 500);
        TriageService.RiskModel model = cohort -> {
            int now = inside.incrementAndGet();
            mostInside.accumulateAndGet(now, Math::max);
            if (now > 1) {
                together.add(cohort);
            }
            try {
                Thread.sleep(runMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
            }
            return 0.5;
        };
        List<String> cohorts = List.of("cohort-1", "cohort-2", "cohort-3");
        List<Future<Double>> runs = new ArrayList<>();
        try (TriageService service = new TriageService(id -> "record of " + id, model)) {
            for (String cohort : cohorts) {
                runs.add(service.rescore(cohort));
            }
            long patience = Patience.millis(3000, 15000);
            for (int i = 0; i < runs.size(); i++) {
                try {
                    assertEquals(0.5, runs.get(i).get(patience, TimeUnit.MILLISECONDS), "the score of " + cohorts.get(i));
                } catch (TimeoutException e) {
                    throw Pitfalls.timeout("rescore(\"" + cohorts.get(i) + "\") had no score " + patience + " ms after"
                            + " three runs were asked for, each of which takes the model " + runMs + " ms.");
                }
            }
        }
        if (mostInside.get() > 1) {
            throw Pitfalls.race(mostInside.get() + " scoring runs were inside the risk model at the same time (" + together
                    + " started while another run was in progress). The model keeps internal state: it takes one"
                    + " scoring run at a time. Give it one thread, or keep a lock around it.");
        }
    }

    @Test
    @Order(6)
    @DisplayName("scoring runs asked for at the same moment on a new service: close() still leaves no thread behind")
    void firstRescoresAtOnceLeaveNoThreadAfterClose() throws Exception {
        for (int round = 1; round <= 5; round++) {
            Set<Thread> before = new java.util.HashSet<>(LiveThreads.all());
            TriageService service = new TriageService(id -> "record of " + id, cohort -> 0.5);
            int callers = 4;
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(callers);
            List<Future<Double>> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 1; c <= callers; c++) {
                String cohort = "cohort-" + c;
                threads.add(Thread.ofPlatform().name("scheduler-" + c).start(() -> {
                    try {
                        together.await();
                        runs.add(service.rescore(cohort));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(2000);
            }
            for (Future<Double> run : runs) {
                run.get(Patience.millis(2000, 8000), TimeUnit.MILLISECONDS);
            }
            service.close();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(300, 1500));
            List<Thread> left;
            do {
                left = LiveThreads.all().stream().filter(t -> !before.contains(t) && !threads.contains(t)
                        && t.isAlive() && !LiveThreads.isJvmOrGrader(t)).toList();
                if (!left.isEmpty()) {
                    Thread.sleep(10);
                }
            } while (!left.isEmpty() && System.nanoTime() < until);
            if (!left.isEmpty()) {
                throw Pitfalls.leak("Round " + round + ": " + callers + " scoring runs were asked for at the same moment"
                        + " on a new service, each scored, then close() returned; yet " + left.size() + " thread"
                        + (left.size() == 1 ? "" : "s") + " the service started " + (left.size() == 1 ? "is" : "are")
                        + " still alive: " + left.stream().map(t -> "\"" + t.getName() + "\"").toList() + ". close()"
                        + " must leave no thread behind, whichever call first needed one.");
            }
        }
    }

    @Test
    @Order(7)
    @DisplayName("close() called while scoring runs wait behind a run in progress leaves none of them computing")
    void closeLeavesNoQueuedRunBehind() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger exited = new AtomicInteger();
        List<String> entries = new java.util.concurrent.CopyOnWriteArrayList<>();
        long runMs = 20;
        TriageService.RiskModel model = cohort -> {
            entries.add(cohort + " on thread \"" + Thread.currentThread().getName() + "\"");
            entered.incrementAndGet();
            try {
                if (cohort.equals("cohort-1")) {
                    firstRunning.countDown();
                    awaitUninterruptibly(releaseFirst);
                } else {
                    sleepUninterruptibly(runMs);
                }
            } finally {
                exited.incrementAndGet();
            }
            return 0.5;
        };
        TriageService service = new TriageService(id -> "record of " + id, model);
        List<String> cohorts = List.of("cohort-1", "cohort-2", "cohort-3");
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> closeThrew = new AtomicReference<>();
        AtomicReference<int[]> atReturn = new AtomicReference<>();
        Thread closer = null;
        try {
            for (String cohort : cohorts) {
                service.rescore(cohort);
            }
            if (!firstRunning.await(2, TimeUnit.SECONDS)) {
                throw new AssertionError("the risk model never started after rescore(\"cohort-1\")");
            }
            closer = Thread.ofPlatform().name("test-close").start(() -> {
                try {
                    service.close();
                } catch (Throwable e) {
                    closeThrew.set(e);
                } finally {
                    atReturn.set(new int[] {entered.get(), exited.get()});
                    closed.countDown();
                }
            });
            long waitsBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(200, 1000));
            while (closed.getCount() > 0 && closer.getState() == Thread.State.RUNNABLE && System.nanoTime() < waitsBy) {
                Thread.sleep(1);
            }
        } finally {
            releaseFirst.countDown();
        }
        long patience = Patience.millis(2000, 8000);
        if (!closed.await(patience, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.timeout("The scoring run of cohort-1 ended, but close() had not returned " + patience
                    + " ms later (two more runs of " + runMs + " ms each were asked for before it).");
        }
        closer.join();
        if (closeThrew.get() != null) {
            throw new AssertionError("close() threw " + closeThrew.get(), closeThrew.get());
        }
        int[] snap = atReturn.get();
        String advice = " close() must leave no thread of the model behind: wait for the runs asked for before it"
                + " (or cancel those not started, so that they never compute).";
        if (snap[0] > snap[1]) {
            throw Pitfalls.leak("Three scoring runs were asked for; close() was called while the first computed, and"
                    + " returned while " + (snap[0] - snap[1]) + " run" + (snap[0] - snap[1] == 1 ? " was" : "s were")
                    + " still inside the model (runs entered so far: " + entries + ")." + advice);
        }
        if (snap[0] < cohorts.size()) {
            long quiet = Patience.millis(300, 1500);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(quiet);
            while (entered.get() == snap[0] && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            if (entered.get() > snap[0]) {
                List<String> late = List.copyOf(entries.subList(snap[0], entries.size()));
                sleepUninterruptibly(3 * runMs); // let the late runs end before the next test
                throw Pitfalls.leak("Three scoring runs were asked for; close() was called while the first computed,"
                        + " and returned when " + snap[0] + " of them had run; after it returned, the model started"
                        + " computing " + late + ": a model thread was left behind." + advice);
            }
        }
    }

    @Test
    @Order(8)
    @DisplayName("a scoring run whose Future is cancelled holds the model until its computation ends")
    void cancelledRunStillHoldsTheModel() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondEntered = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        TriageService.RiskModel model = cohort -> {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                if (cohort.equals("cohort-A")) {
                    firstRunning.countDown();
                    awaitUninterruptibly(releaseFirst); // computing: a cancel does not stop it
                } else {
                    secondEntered.countDown();
                }
            } finally {
                inside.decrementAndGet();
            }
            return 0.5;
        };
        try (TriageService service = new TriageService(id -> "record of " + id, model)) {
            Future<Double> b;
            boolean cancelled;
            try {
                Future<Double> a = service.rescore("cohort-A");
                if (!firstRunning.await(2, TimeUnit.SECONDS)) {
                    throw new AssertionError("the risk model never started after rescore(\"cohort-A\")");
                }
                b = service.rescore("cohort-B");
                cancelled = a.cancel(false);
                // long enough for the next run to enter the model, if it may (longer on a busy machine)
                secondEntered.await(Patience.millis(150, 1000), TimeUnit.MILLISECONDS);
            } finally {
                releaseFirst.countDown();
            }
            if (mostInside.get() > 1) {
                throw Pitfalls.race("rescore(\"cohort-A\") was running, rescore(\"cohort-B\") was asked for, and the"
                        + " Future of cohort-A's run was cancelled (cancel(false)" + (cancelled ? "" : ", which returned false")
                        + ") while the model was still computing it: cohort-B's run then entered the model before"
                        + " cohort-A's computation had ended, " + mostInside.get() + " runs inside the model at once."
                        + " Cancelling a Future does not stop the computation behind it: the model is free only once"
                        + " score() has returned.");
            }
            try {
                assertEquals(0.5, b.get(Patience.millis(2000, 8000), TimeUnit.MILLISECONDS), "the score of cohort-B");
            } catch (TimeoutException e) {
                throw Pitfalls.timeout("cohort-A's run was cancelled while it computed, and then ended; yet"
                        + " rescore(\"cohort-B\"), asked for before the cancel, still had no score.");
            }
        }
    }

    @Test
    @Order(9)
    @DisplayName("close() called at once after rescore() leaves no scoring run behind")
    void closeRightAfterRescoreLeavesNoRunBehind() throws Exception {
        int rounds = 30;
        long runMs = 2;
        boolean runsMayBeDropped = false;
        for (int round = 1; round <= rounds; round++) {
            AtomicInteger entered = new AtomicInteger();
            AtomicInteger exited = new AtomicInteger();
            CountDownLatch enteredOnce = new CountDownLatch(1);
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            TriageService service = new TriageService(id -> "record of " + id, cohort -> {
                ranOn.set(Thread.currentThread());
                entered.incrementAndGet();
                enteredOnce.countDown();
                try {
                    sleepUninterruptibly(runMs);
                } finally {
                    exited.incrementAndGet();
                }
                return 0.5;
            });
            String cohort = "cohort-" + round;
            Future<Double> run = service.rescore(cohort);
            service.close();
            int e = entered.get();
            int x = exited.get();
            if (e > x) {
                Thread t = ranOn.get();
                t.join(Patience.millis(1000, 5000));
                throw Pitfalls.leak("Round " + round + ": rescore(\"" + cohort + "\") and at once close() on a new"
                        + " service: close() returned while the run was still inside the model, on thread \""
                        + t.getName() + "\". close() must leave no thread of the model behind, whichever calls came"
                        + " just before it.");
            }
            if (e == 0 && !run.isDone() && !runsMayBeDropped) {
                if (enteredOnce.await(Patience.millis(300, 1500), TimeUnit.MILLISECONDS)) {
                    Thread t = ranOn.get();
                    t.join(Patience.millis(1000, 5000));
                    throw Pitfalls.leak("Round " + round + ": rescore(\"" + cohort + "\") and at once close() on a"
                            + " new service: close() returned before the run had started, and the run started after"
                            + " it, on thread \"" + t.getName() + "\": a model thread was left behind. close() must"
                            + " wait for every scoring run asked for before it, including one whose thread has not"
                            + " got going yet (or cancel it so that it never runs).");
                }
                runsMayBeDropped = true; // the run was dropped, as close() may do: no need to wait for that again
            }
        }
    }

    /** What the learner's code did to the carrier count, if anything: the scheduler reads it only when it is made. */
    private static String carriersNote() {
        String parallelism = System.getProperty("jdk.virtualThreadScheduler.parallelism");
        if (parallelism == null || parallelism.equals("1")) {
            return "";
        }
        return " The system property jdk.virtualThreadScheduler.parallelism now reads \"" + parallelism + "\", but"
                + " the scheduler reads it only once, when it is made, and here virtual threads had run before"
                + " TriageService was loaded (as in most applications): it kept its one carrier.";
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        if (dev.kata.probe.api.Uninterruptible.await(latch, Long.MAX_VALUE)) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepUninterruptibly(long millis) {
        if (dev.kata.probe.api.Uninterruptible.sleep(millis)) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How long the model of closeLeavesNoModelBehind keeps computing after close() is called. The time limits in
     * the learner's code are shortened (kata.toml: a second becomes a millisecond, and none is longer than 60 ms), so
     * a close() that gives up on the model after waiting any time under a year has given up within this window; a
     * busy machine stretches it (within the test's 3 s), so that such a close() has had the CPU to return before the
     * window ends.
     */
    private static final long MODEL_AFTER_CLOSE_MS = Patience.millis(400, 1500);

    /** Calls {@code service.close()} on a thread of its own, which counts {@code closed} down however close() ends. */
    private static Thread closeOnAnotherThread(TriageService service, CountDownLatch closed,
            AtomicReference<Throwable> closeThrew) {
        return Thread.ofPlatform().name("test-close").start(() -> {
            try {
                service.close();
            } catch (Throwable e) {
                closeThrew.set(e);
            } finally {
                closed.countDown();
            }
        });
    }

    /**
     * Interrupts the thread calling close() once it waits (a shutdown hook's thread may be
     * interrupted); whether it did: not if close() had returned already.
     */
    private static boolean interruptOnceWaiting(Thread closer, CountDownLatch closed) throws InterruptedException {
        long waitsBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(200, 1000));
        while (closed.getCount() > 0 && closer.getState() == Thread.State.RUNNABLE && System.nanoTime() < waitsBy) {
            Thread.sleep(1);
        }
        boolean interrupting = closed.getCount() > 0;
        if (interrupting) {
            closer.interrupt();
        }
        return interrupting;
    }
}
