package contextcancel;

import static org.junit.jupiter.api.Assertions.fail;

import contextcancel.AnonymizationService.RecordStore;
import contextcancel.AnonymizationService.Summary;
import dev.kata.probe.api.Pitfalls;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the context-cancel kata. The test plays the HTTP server: it runs a request on
 * a thread of its own and cancels it by interrupting that thread, as a server does when the
 * client hangs up. The record store double decides, per batch, whether a database call is quick,
 * hangs until it is interrupted, or is slow and finishes whatever happens.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnonymizationServiceTest {

    /** How long every site's job may take to reach the batch the test holds. */
    private static final long START_WAIT_MS = 1000;
    /** How long after the cancel a busy batch may take to see the interrupt. */
    private static final long INTERRUPT_WAIT_MS = 500;
    /** How long after the cancel the jobs and the request may take to end. */
    private static final long END_WAIT_MS = 750;

    private static final List<String> TWO_SITES = List.of("north", "south");

    @Test
    @Order(1)
    void cancellingTheRequestStopsEveryJobItStarted() throws Exception {
        ScriptedStore store = new ScriptedStore();
        store.batches("north", 4).batches("south", 4);
        Held north = store.hangUntilInterrupted("north", 1);
        Held south = store.hangUntilInterrupted("south", 2);
        AnonymizationService service = new AnonymizationService(store);

        Request request = Request.start(service, "S-100", TWO_SITES);
        try {
            awaitAllEntered(request, north, south);
            request.cancel(store);
            List<Held> missed = notInterrupted(north, south);
            if (!missed.isEmpty()) {
                throw Pitfalls.leak("Study S-100: the request was cancelled (the client hung up), but "
                        + describeMissed(missed) + " Nothing will ever tell "
                        + (missed.size() == 1 ? "that job" : "those jobs")
                        + " to stop: the request that needed the result is gone, yet the job keeps a "
                        + "database connection and goes on rewriting records nobody asked for any more. "
                        + "In Go this is a goroutine started without the request's context. In Java, "
                        + "cancelling a request must cancel the work it started: when the wait for the "
                        + "jobs ends early, cancel every job's Future with cancel(true), which "
                        + "interrupts its thread." + request.outcomeNote());
            }
            awaitJobsEnd(store);
            expectNothingStartedAfterCancel(store, "S-100",
                    "The job was interrupted inside its batch, then went on with the next one: it "
                            + "caught the InterruptedException and carried on. An interrupt is an order "
                            + "to stop; let it end the job.");
            expectRequestEnded(request);
        } finally {
            store.releaseAll();
        }
    }

    @Test
    @Order(2)
    void aBatchThatFinishesAnywayIsTheLastOne() throws Exception {
        ScriptedStore store = new ScriptedStore();
        store.batches("north", 5).batches("south", 5);
        Held north = store.slowIgnoringInterrupts("north", 1);
        Held south = store.slowIgnoringInterrupts("south", 1);
        AnonymizationService service = new AnonymizationService(store);

        Request request = Request.start(service, "S-200", TWO_SITES);
        try {
            awaitAllEntered(request, north, south);
            request.cancel(store);
            List<Held> missed = notInterrupted(north, south);
            if (!missed.isEmpty()) {
                throw Pitfalls.leak("Study S-200: the request was cancelled, but " + describeMissed(missed)
                        + " The jobs were never told that the request is gone. Cancel every job's Future "
                        + "with cancel(true) when the request ends early." + request.outcomeNote());
            }
            // These batches are like a socket read that cannot be interrupted: they finish, and
            // leave the interrupt status set for whoever comes next.
            store.releaseAll();
            awaitJobsEnd(store);
            expectNothingStartedAfterCancel(store, "S-200",
                    "Batch 1 of each site could not be interrupted (some calls, like a plain socket "
                            + "read, finish what they are doing first), but it returned with the "
                            + "thread's interrupt status set, and the job then started the next batch "
                            + "without looking at it. A long job must check for cancellation between "
                            + "steps (Thread.currentThread().isInterrupted()), the way a Go loop selects "
                            + "on ctx.Done() before each batch.");
            expectRequestEnded(request);
        } finally {
            store.releaseAll();
        }
    }

    @Test
    @Order(3)
    void aRequestNobodyCancelsAnonymizesEverySite() throws Exception {
        ScriptedStore store = new ScriptedStore();
        store.batches("north", 3).batches("south", 4).batches("east", 2);
        AnonymizationService service = new AnonymizationService(store);

        Request request = Request.start(service, "S-300", List.of("north", "south", "east"));
        Object outcome = request.await(2000);
        if (outcome == null) {
            fail("Study S-300: nobody cancelled this request and every batch is quick, yet anonymize() "
                    + "had not returned after 2 s; the request thread is " + whereIs(request.thread) + ".");
        }
        if (outcome instanceof Throwable t) {
            fail("Study S-300: nobody cancelled this request, yet anonymize() threw " + t, t);
        }
        Summary expected = new Summary("S-300", 3, 9);
        if (!expected.equals(outcome)) {
            fail("Study S-300: expected " + expected + " but anonymize() returned " + outcome);
        }
        for (String site : List.of("north", "south", "east")) {
            List<Integer> done = store.callsFor(site);
            List<Integer> all = new ArrayList<>();
            for (int b = 0; b < store.batchCount("S-300", site); b++) {
                all.add(b);
            }
            if (!done.equals(all)) {
                fail("Study S-300, site " + site + ": every batch must be anonymized exactly once, in order; "
                        + "the store saw batches " + done + " instead of " + all + ".");
            }
        }
    }

    // ------------------------------------------------------------------ steps

    private static void awaitAllEntered(Request request, Held... held) throws InterruptedException {
        long deadline = deadlineIn(START_WAIT_MS);
        for (Held h : held) {
            if (!h.entered.await(millisLeft(deadline), TimeUnit.MILLISECONDS)) {
                Object outcome = request.await(0);
                if (outcome instanceof Throwable t) {
                    fail("anonymize() threw " + t + " before site " + h.site + " reached batch " + h.batch, t);
                }
                List<String> busy = new ArrayList<>();
                for (Held other : held) {
                    if (other.entered.getCount() == 0) {
                        busy.add(other.site);
                    }
                }
                fail("Site " + h.site + " never reached batch " + h.batch + " within " + START_WAIT_MS
                        + " ms" + (busy.isEmpty() ? "" : ", while site " + String.join(" and ", busy)
                        + " was busy") + ". The sites of a study must be anonymized in parallel, one "
                        + "background job per site, as the starter does; keep that, and make "
                        + "cancellation reach the jobs.");
            }
        }
    }

    private static List<Held> notInterrupted(Held... held) throws InterruptedException {
        long deadline = deadlineIn(INTERRUPT_WAIT_MS);
        List<Held> missed = new ArrayList<>();
        for (Held h : held) {
            if (!h.interrupted.await(millisLeft(deadline), TimeUnit.MILLISECONDS)) {
                missed.add(h);
            }
        }
        return missed;
    }

    private static String describeMissed(List<Held> missed) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < missed.size(); i++) {
            Held h = missed.get(i);
            s.append(i == 0 ? "" : "; and ").append("site ").append(h.site).append("'s job is still inside batch ")
                    .append(h.batch).append(", ").append(whereIs(h.thread));
        }
        s.append(", ").append(INTERRUPT_WAIT_MS).append(" ms after the cancel, and was never interrupted.");
        return s.toString();
    }

    private static void awaitJobsEnd(ScriptedStore store) throws InterruptedException {
        long deadline = deadlineIn(END_WAIT_MS);
        for (Thread job : store.jobThreads()) {
            long left = millisLeft(deadline);
            if (left > 0) {
                job.join(left);
            }
        }
    }

    private static void expectNothingStartedAfterCancel(ScriptedStore store, String study, String why) {
        List<String> late = store.startedAfterCancel();
        if (!late.isEmpty()) {
            throw Pitfalls.leak("Study " + study + ": after the request was cancelled, its jobs still started "
                    + late.size() + " more batch" + (late.size() == 1 ? "" : "es") + " (" + String.join(", ", late)
                    + "). " + why);
        }
    }

    private static void expectRequestEnded(Request request) throws InterruptedException {
        if (request.await(END_WAIT_MS) == null) {
            throw Pitfalls.timeout("The jobs stopped, but the cancelled request itself has not returned "
                    + END_WAIT_MS + " ms later; it is " + whereIs(request.thread) + ". A cancelled request "
                    + "must end promptly (throwing InterruptedException is fine).");
        }
    }

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static long millisLeft(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** Where a thread is, in the learner's terms: which call, at which line of their file. */
    static String whereIs(Thread thread) {
        if (thread == null) {
            return "(no thread)";
        }
        if (!thread.isAlive()) {
            return "(it has ended)";
        }
        StackTraceElement[] stack = thread.getStackTrace();
        String testClass = AnonymizationServiceTest.class.getName();
        int learner = -1;
        for (int i = 0; i < stack.length; i++) {
            String cls = stack[i].getClassName();
            if (cls.startsWith("contextcancel.") && !cls.startsWith(testClass)) {
                learner = i;
                break;
            }
        }
        String state = thread.getState().toString();
        if (learner < 0) {
            return "in state " + state;
        }
        StackTraceElement at = stack[learner];
        String line = (at.getFileName() == null ? at.getClassName() : at.getFileName()) + ":" + at.getLineNumber();
        if (learner == 0) {
            return "running at " + line;
        }
        StackTraceElement callee = stack[learner - 1];
        String what;
        if (callee.getClassName().startsWith(testClass)) {
            what = "waiting on the database in anonymizeBatch";
        } else {
            String cls = callee.getClassName();
            what = "in " + cls.substring(cls.lastIndexOf('.') + 1) + "." + callee.getMethodName();
        }
        return what + " (" + state + ") at " + line;
    }

    // ------------------------------------------------------------------ the request

    /** One request, run on a thread of its own, as the HTTP server would. */
    static final class Request {
        final Thread thread;
        final AtomicReference<Object> outcome = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        private Request(AnonymizationService service, String studyId, List<String> sites) {
            thread = Thread.ofPlatform().name("request-" + studyId).unstarted(() -> {
                try {
                    outcome.set(service.anonymize(studyId, sites));
                } catch (ExecutionException e) {
                    outcome.set(e.getCause() == null ? e : e.getCause());
                } catch (Throwable t) {
                    outcome.set(t);
                } finally {
                    done.countDown();
                }
            });
        }

        static Request start(AnonymizationService service, String studyId, List<String> sites) {
            Request r = new Request(service, studyId, sites);
            r.thread.start();
            return r;
        }

        /** The client hangs up: the server interrupts the request's thread. */
        void cancel(ScriptedStore store) {
            store.markCancelled();
            thread.interrupt();
        }

        /** What anonymize() returned or threw, or null if it has not ended within the wait. */
        Object await(long millis) throws InterruptedException {
            return done.await(millis, TimeUnit.MILLISECONDS) ? outcome.get() : null;
        }

        String outcomeNote() {
            Object o = outcome.get();
            if (done.getCount() == 0 && o instanceof Throwable t) {
                return " (The request itself ended with " + t.getClass().getSimpleName()
                        + ": the request noticed the cancel; its jobs did not.)";
            }
            return "";
        }
    }

    // ------------------------------------------------------------------ the record store double

    enum Mode { QUICK, HANG_UNTIL_INTERRUPTED, SLOW_IGNORING_INTERRUPTS }

    /** A batch the test holds: it tells when the job reached it and when the job was interrupted in it. */
    static final class Held {
        final String site;
        final int batch;
        final Mode mode;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        volatile Thread thread;

        Held(String site, int batch, Mode mode) {
            this.site = site;
            this.batch = batch;
            this.mode = mode;
        }
    }

    static final class ScriptedStore implements RecordStore {
        private final Map<String, Integer> counts = new LinkedHashMap<>();
        private final Map<String, Held> held = new ConcurrentHashMap<>();
        private final Map<String, List<Integer>> calls = new ConcurrentHashMap<>();
        private final Map<String, Thread> jobThreads = new ConcurrentHashMap<>();
        private final List<String> afterCancel = new ArrayList<>();
        private final CountDownLatch release = new CountDownLatch(1);
        private volatile boolean cancelled;

        ScriptedStore batches(String site, int count) {
            counts.put(site, count);
            return this;
        }

        /** A database call that blocks until its thread is interrupted, then throws. */
        Held hangUntilInterrupted(String site, int batch) {
            return hold(site, batch, Mode.HANG_UNTIL_INTERRUPTED);
        }

        /** A call that cannot be interrupted: it finishes when the test lets it, keeping the interrupt status. */
        Held slowIgnoringInterrupts(String site, int batch) {
            return hold(site, batch, Mode.SLOW_IGNORING_INTERRUPTS);
        }

        private Held hold(String site, int batch, Mode mode) {
            Held h = new Held(site, batch, mode);
            held.put(site + "#" + batch, h);
            return h;
        }

        void markCancelled() {
            cancelled = true;
        }

        void releaseAll() {
            release.countDown();
        }

        List<Thread> jobThreads() {
            return new ArrayList<>(jobThreads.values());
        }

        List<Integer> callsFor(String site) {
            return calls.getOrDefault(site, List.of());
        }

        synchronized List<String> startedAfterCancel() {
            return new ArrayList<>(afterCancel);
        }

        @Override
        public int batchCount(String studyId, String site) {
            Integer n = counts.get(site);
            if (n == null) {
                throw new IllegalArgumentException("no site " + site + " in study " + studyId);
            }
            return n;
        }

        @Override
        public void anonymizeBatch(String studyId, String site, int batch) throws InterruptedException {
            jobThreads.putIfAbsent(site, Thread.currentThread());
            calls.computeIfAbsent(site, s -> java.util.Collections.synchronizedList(new ArrayList<>())).add(batch);
            if (cancelled) {
                synchronized (this) {
                    afterCancel.add(site + " batch " + batch);
                }
            }
            Held h = held.get(site + "#" + batch);
            if (h == null) {
                return; // a quick batch
            }
            h.thread = Thread.currentThread();
            h.entered.countDown();
            if (h.mode == Mode.HANG_UNTIL_INTERRUPTED) {
                try {
                    release.await(); // only an interrupt (or the test's clean-up) ends this wait
                } catch (InterruptedException e) {
                    h.interrupted.countDown();
                    throw e;
                }
                return;
            }
            boolean interrupted = false;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    h.interrupted.countDown();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt(); // finished anyway; the interrupt status is kept
            }
        }
    }
}
