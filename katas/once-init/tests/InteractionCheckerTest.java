package onceinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.LearnerCode;
import dev.kata.probe.api.Pitfalls;
import dev.kata.probe.api.RaceDetector;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import onceinit.InteractionChecker.Interaction;
import onceinit.InteractionChecker.InteractionSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InteractionCheckerTest {

    private static final List<Interaction> TABLE = List.of(
            new Interaction("warfarin", "aspirin", "major: bleeding risk"),
            new Interaction("simvastatin", "clarithromycin", "major: muscle damage"),
            new Interaction("lisinopril", "spironolactone", "moderate: high potassium"),
            new Interaction("sertraline", "tramadol", "major: serotonin syndrome"));

    // ------------------------------------------------------------------------------------
    // 1. Load once: eight checks arrive together before the table is there.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @DisplayName("eight prescriptions checked at once, before the table is loaded, download it once")
    void downloadsTheTableOnce() throws Exception {
        final int requests = 8;
        SlowSource source = new SlowSource();
        InteractionChecker checker = new InteractionChecker(source);

        CyclicBarrier start = new CyclicBarrier(requests);
        List<Request> all = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            all.add(new Request("request-" + (i + 1), start, () -> checker.check("warfarin", "aspirin")));
        }
        all.forEach(Request::start);
        // The service answers only when every request is either downloading the table itself,
        // or waiting for someone else's download, or done. That takes milliseconds; the 1 s
        // cap is a safety net.
        awaitSettled(all, source, 1000);
        // A slow service: the download goes on for a while after every check has arrived, longer than any
        // time limit in the learner's code (the tests shorten those to 60 ms at most).
        source.slowFromNowOn = true;
        Thread.sleep(HELD_LONG_MS);
        source.release.countDown();
        joinAll(all);

        int downloads = source.downloads.get();
        if (downloads > 1 && source.startedWhileSlow.get() > 0) {
            throw Pitfalls.race("The interaction table was downloaded " + downloads + " times for " + requests
                    + " prescriptions checked together. Every check had reached the checker and the download was"
                    + " under way; the service then took " + HELD_LONG_MS + " ms more, and meanwhile "
                    + source.startedWhileSlow.get() + " of the checks waiting for it started a download of their"
                    + " own: a wait with a time limit gave up on a download that was merely slow (the tests"
                    + " shorten every time limit in your code, so a limit of minutes shows here). Wait for the"
                    + " download in progress however long it takes.");
        }
        if (downloads > 1 && source.maxAtOnce.get() == 1) {
            throw Pitfalls.race("The interaction table was downloaded " + downloads + " times for " + requests
                    + " prescriptions checked together, one download after another. The checks queued on the"
                    + " lock, as they should, but each one, once it got the lock, downloaded the table again"
                    + " without looking whether the check before it had loaded it meanwhile. Inside the lock,"
                    + " check again (the second check of double-checked locking).");
        }
        if (downloads > 1) {
            throw Pitfalls.race("The interaction table was downloaded " + downloads + " times for " + requests
                    + " prescriptions checked together. Each check saw that the table was not loaded yet and"
                    + " started its own download (check-then-act): nothing stopped the second check between the"
                    + " null check and the assignment. In production that is " + downloads + " multi-second"
                    + " downloads and " + downloads + " copies of the table in memory, at the moment the ward"
                    + " opens. The first check must download it; the others must wait for that download.");
        }
        assertEquals(1, downloads, "the table was needed, so it must be downloaded once");
        for (Request r : all) {
            r.rethrow();
            if (r.answer.isEmpty()) {
                throw Pitfalls.race(r.name + " was told that warfarin and aspirin do not interact, though the"
                        + " downloaded table holds that interaction: it answered from a table that did not hold it"
                        + " yet, as a table published before the download has filled it (half-built) does. A"
                        + " prescription with a major bleeding risk would have been signed off. Publish the table"
                        + " only once it is complete, and let other checks wait until then.");
            }
            assertEquals("major: bleeding risk", r.answer.get().severity(), r.name + "'s answer");
        }
    }

    // ------------------------------------------------------------------------------------
    // 2. No half-built table: a check arriving during the download waits for all of it.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(2)
    @DisplayName("a check that arrives during the download waits for the whole table")
    void aCheckDuringTheDownloadWaitsForTheWholeTable() throws Exception {
        SlowSource source = new SlowSource();
        Request[] two = aSecondCheckDuringTheDownload(new InteractionChecker(source), source);
        Request first = two[0];
        Request second = two[1];
        boolean answeredEarly = !second.thread.isAlive();
        source.release.countDown();
        joinAll(List.of(first, second));
        first.rethrow();
        second.rethrow();

        if (answeredEarly && second.answer.isEmpty()) {
            throw Pitfalls.race("While the table was still downloading, a second check (sertraline + tramadol)"
                    + " answered at once: no interaction. The table had been published before it was filled, so"
                    + " other threads found a table that was there but empty (half-built). Build the table"
                    + " completely first, then publish it with one write, and let other checks wait for the"
                    + " download rather than read a half-loaded table.");
        }
        int downloads = source.downloads.get();
        if (downloads > 1) {
            throw Pitfalls.race("A check that arrived while the table was downloading started a second download"
                    + " (" + downloads + " in all) instead of waiting for the first one.");
        }
        assertTrue(second.answer.isPresent(), "sertraline and tramadol interact (serotonin syndrome)");
        assertEquals("major: serotonin syndrome", second.answer.get().severity());
        assertEquals("major: muscle damage", first.answer.orElseThrow().severity());
    }

    // ------------------------------------------------------------------------------------
    // 3. Afterwards: no more downloads, right answers; and a failed download is retried.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(3)
    @DisplayName("later checks use the loaded table, and a failed download is tried again on the next check")
    void usesTheLoadedTableAndRetriesAFailedDownload() {
        AtomicInteger downloads = new AtomicInteger();
        InteractionChecker checker = new InteractionChecker(() -> {
            if (downloads.incrementAndGet() == 1) {
                throw new UncheckedIOException(new java.io.IOException("pharmacology service unavailable"));
            }
            return TABLE;
        });
        try {
            Optional<Interaction> answer = checker.check("warfarin", "aspirin");
            fail("the download failed, yet the check answered " + answer
                    + ": a failed check must not look like \"no interaction\"");
        } catch (RuntimeException expected) {
            // the failure reaches the caller
        }
        Optional<Interaction> retried;
        try {
            retried = checker.check("aspirin", "warfarin");
        } catch (RuntimeException e) {
            fail("the first download failed; the next check failed too, with " + e + ", after " + downloads.get()
                    + " download" + (downloads.get() == 1 ? " (none since the failure): the failure was kept instead"
                            + " of downloading again" : "s"), e);
            return;
        }
        assertEquals(Optional.of(TABLE.get(0)), retried,
                "after a failed download, the next check must download again and find the interaction");
        assertEquals(Optional.of(TABLE.get(2)), checker.check("LISINOPRIL", "spironolactone"),
                "interactions are found in either order and whatever the case");
        assertEquals(Optional.empty(), checker.check("paracetamol", "amoxicillin"), "no known interaction");
        assertEquals(2, downloads.get(),
                "one failed download and one good one; later checks must use the loaded table");
        if (LearnerCode.mentions(InteractionChecker.class, "java.lang.ref.SoftReference", "java.lang.ref.WeakReference")) {
            fail("InteractionChecker holds something through a SoftReference or a WeakReference: the garbage"
                    + " collector may clear it whenever memory runs short, and the table is then downloaded again."
                    + " Once downloaded, the table stays: keep it in a plain strong reference (a volatile field).");
        }
    }

    /**
     * A service that knows no interaction at all answers an empty table, and that is the table: a
     * fix that takes "empty" for "not downloaded yet" downloads it again on every check.
     */
    @Test
    @Order(3)
    @DisplayName("an empty table is downloaded once too: later checks answer from it")
    void anEmptyTableIsDownloadedOnce() {
        AtomicInteger downloads = new AtomicInteger();
        InteractionChecker checker = new InteractionChecker(() -> {
            downloads.incrementAndGet();
            return List.of();
        });
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), checker.check("warfarin", "aspirin"),
                    "the pharmacology service knows no interaction at all");
        }
        assertEquals(1, downloads.get(), "three checks downloaded the table " + downloads.get() + " times: the service"
                + " answered an empty table, which is a complete table all the same, and must be kept like any other");
    }

    // ------------------------------------------------------------------------------------
    // 4. A download that fails while checks wait for it: no check hangs or answers "no
    //    interaction"; the next check, on another thread, downloads again.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(4)
    @DisplayName("a download that fails while other checks wait for it leaves nothing stuck, and the next check downloads again")
    void aFailedDownloadUnderConcurrentChecksIsRetried() throws Exception {
        Throwable[] kinds = {new IllegalStateException("pharmacology service unavailable"),
            new UncheckedIOException(new java.io.IOException("connection reset")), new AssertionError("corrupt table"),
            // checked, though fetchAll declares none: as a client written in Kotlin or Scala throws it
            new java.io.IOException("pharmacology service closed the connection")};
        int n = 0;
        for (int requests : new int[] {1, 4}) {
            for (Throwable thrown : kinds) {
                n++;
                failedDownloadScenario(requests, thrown, "scenario " + n + ": " + requests + " check"
                        + (requests == 1 ? "" : "s at once") + ", the first download throws " + thrown);
            }
        }
    }

    // ------------------------------------------------------------------------------------
    // 5. The table loaded, a check on another thread reads it: through a volatile field, a
    //    lock or a java.util.concurrent type, never through a plain field outside the lock.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(5)
    @DisplayName("a check on another thread, once the table is loaded, reads it in a way ordered after the download")
    void aLaterCheckOnAnotherThreadReadsTheTableSafely() throws Exception {
        InteractionChecker checker = new InteractionChecker(() -> TABLE);
        CountDownLatch isolated = new CountDownLatch(1);
        CountDownLatch loaded = new CountDownLatch(1);
        // Only the checker may order this thread's read of the table after the download: the race
        // detector then sees a read that nothing in it orders, on every run.
        Request later = new Request("pharmacist-2", null, () -> {
            RaceDetector.isolateCurrentThread();
            isolated.countDown();
            loaded.await();
            return checker.check("sertraline", "tramadol");
        });
        later.start();
        if (!isolated.await(2, TimeUnit.SECONDS)) {
            fail("the second pharmacist's thread did not start within 2 s");
        }
        assertEquals(Optional.of(TABLE.get(0)), checker.check("warfarin", "aspirin"), "the first check");
        loaded.countDown();
        later.join();
        later.rethrow();
        assertEquals(Optional.of(TABLE.get(3)), later.answer, "a check on another thread after the table was loaded");
    }

    // ------------------------------------------------------------------------------------
    // 6. A check waiting for the download is interrupted: it fails or waits on, never answers
    //    "no interaction" from a table it has not got.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(6)
    @DisplayName("a check interrupted while it waits for the download never answers from a table it has not got")
    void anInterruptedWaitingCheckNeverAnswersWithoutTheTable() throws Exception {
        SlowSource source = new SlowSource();
        Request[] two = aSecondCheckDuringTheDownload(new InteractionChecker(source), source);
        Request first = two[0];
        Request second = two[1];
        boolean waiting = second.thread.isAlive();
        second.thread.interrupt(); // its request timed out, or its server is shutting down
        awaitSettled(List.of(second), source, 300);
        source.release.countDown();
        joinAll(List.of(first, second));
        first.rethrow();

        int downloads = source.downloads.get();
        if (downloads > 1 && waiting) {
            fail("A check (sertraline + tramadol) was waiting for the download when its thread was interrupted,"
                    + " and the table was downloaded " + downloads + " times in all: a check interrupted while it"
                    + " waits may fail, or wait on for the table, but the table is still downloaded exactly once"
                    + " (no download of its own while one is in progress).");
        }
        if (second.failure == null && second.answer != null && second.answer.isEmpty()) {
            fail(waiting
                    ? "A check (sertraline + tramadol) was waiting for the download when its thread was interrupted,"
                            + " and it answered: no interaction. They interact, so it did not answer from the"
                            + " downloaded table. An interrupted check may fail, or wait on for the table, but never"
                            + " answer as if the drugs did not interact."
                    : "While the table was still downloading, a check (sertraline + tramadol) answered at once: no"
                            + " interaction. They interact: a check must wait for the whole table.");
        }
        if (second.failure == null) {
            second.rethrow();
            assertEquals("major: serotonin syndrome", second.answer.orElseThrow().severity(),
                    "the interrupted check answered; sertraline and tramadol interact (serotonin syndrome)");
        }
        assertEquals("major: muscle damage", first.answer.orElseThrow().severity());
    }

    private static void failedDownloadScenario(int requests, Throwable thrown, String scenario) throws Exception {
        AtomicInteger downloads = new AtomicInteger();
        Set<Thread> downloading = ConcurrentHashMap.newKeySet();
        CountDownLatch release = new CountDownLatch(1);
        InteractionChecker checker = new InteractionChecker(() -> {
            downloading.add(Thread.currentThread());
            try {
                if (downloads.incrementAndGet() == 1) {
                    release.await(1, TimeUnit.SECONDS);
                    throw InteractionCheckerTest.<RuntimeException>sneaky(thrown);
                }
                return TABLE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                downloading.remove(Thread.currentThread());
            }
        });
        CyclicBarrier start = new CyclicBarrier(requests);
        List<Request> all = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            all.add(new Request("request-" + (i + 1), start, () -> checker.check("warfarin", "aspirin")));
        }
        all.forEach(r -> {
            r.thread.setDaemon(true);
            r.start();
        });
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < deadline && downloads.get() == 0) {
            Thread.sleep(1);
        }
        Thread.sleep(10); // the other checks reach the checker and wait
        release.countDown();
        for (Request r : all) {
            r.thread.join(1000);
            if (r.thread.isAlive()) {
                fail(r.name + " had no answer 1 s after the download it was waiting for had failed (" + scenario
                        + "): it is " + r.thread.getState() + ". A check waiting on a failed download must fail or"
                        + " download again itself.");
            }
        }
        int failedChecks = 0;
        for (Request r : all) {
            if (r.failure != null) {
                failedChecks++;
            } else if (r.answer == null || r.answer.isEmpty()) {
                fail(r.name + " answered " + r.answer + " for warfarin and aspirin (" + scenario + "): a check must"
                        + " fail when the download fails, never answer \"no interaction\"");
            }
        }
        if (failedChecks == 0) {
            fail("the download threw " + thrown + ", yet every check answered (" + scenario + "): the check whose"
                    + " download failed must fail");
        }
        Request next = new Request("request-after", null, () -> checker.check("aspirin", "warfarin"));
        next.thread.setDaemon(true);
        next.start();
        next.thread.join(1000);
        if (next.thread.isAlive()) {
            fail("a check made on another thread after the download had failed got no answer within 1 s ("
                    + scenario + "): it is " + next.thread.getState()
                    + ". Something the failed download held (a lock? a loading flag?) was never released.");
        }
        if (next.failure != null) {
            fail("a check made after the download had failed failed too (" + scenario + "): " + next.failure
                    + ". The failure must not be kept: the next check downloads again.", next.failure);
        }
        assertEquals(Optional.of(TABLE.get(0)), next.answer, "the check after a failed download (" + scenario + ")");
        assertEquals(2, downloads.get(), "downloads: the failed one and one that worked, whatever came after ("
                + scenario + ")");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    // ------------------------------------------------------------------------------------

    /** How long the first test's download goes on after every check has arrived. */
    private static final long HELD_LONG_MS = 150;

    /** The pharmacology service: answers only when the test releases it. */
    private static final class SlowSource implements InteractionSource {
        final AtomicInteger downloads = new AtomicInteger();
        /** Set once every check has arrived; downloads started after that are counted. */
        volatile boolean slowFromNowOn;
        final AtomicInteger startedWhileSlow = new AtomicInteger();
        final AtomicInteger atOnce = new AtomicInteger();
        final AtomicInteger maxAtOnce = new AtomicInteger();
        final Set<Thread> downloading = ConcurrentHashMap.newKeySet();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public List<Interaction> fetchAll() {
            downloading.add(Thread.currentThread());
            downloads.incrementAndGet();
            if (slowFromNowOn) {
                startedWhileSlow.incrementAndGet();
            }
            maxAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            started.countDown();
            try {
                if (!release.await(3, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the download");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during the download", e);
            } finally {
                atOnce.decrementAndGet();
            }
            return TABLE;
        }
    }

    @FunctionalInterface
    private interface Call {
        Optional<Interaction> run() throws Exception;
    }

    /** One prescription check on a thread of its own. */
    private static final class Request {
        final String name;
        final Thread thread;
        volatile boolean entered;
        volatile Optional<Interaction> answer;
        volatile Throwable failure;

        /** Runs {@code call}, after {@code start} trips if there is one. */
        Request(String name, CyclicBarrier start, Call call) {
            this.name = name;
            this.thread = Thread.ofPlatform().name(name).unstarted(() -> {
                try {
                    if (start != null) {
                        start.await();
                    }
                    entered = true;
                    answer = call.run();
                } catch (Throwable e) {
                    failure = e;
                }
            });
        }

        void start() {
            thread.start();
        }

        void join() throws InterruptedException {
            thread.join(2000);
        }

        void rethrow() {
            if (failure != null) {
                fail(name + " failed while checking a prescription: " + failure, failure);
            }
            if (answer == null) {
                fail(name + " never got an answer");
            }
        }
    }

    /**
     * request-1 (simvastatin + clarithromycin) starts the download, which the source holds open;
     * then request-2 (sertraline + tramadol) arrives, and is left to settle (waiting, or done).
     */
    private static Request[] aSecondCheckDuringTheDownload(InteractionChecker checker, SlowSource source)
            throws InterruptedException {
        Request first = new Request("request-1", null, () -> checker.check("simvastatin", "clarithromycin"));
        first.start();
        if (!source.started.await(2, TimeUnit.SECONDS)) {
            source.release.countDown();
            first.join();
            first.rethrow();
            fail("the first check never asked the pharmacology service for the table");
        }
        Request second = new Request("request-2", null, () -> checker.check("Sertraline", "Tramadol"));
        second.start();
        awaitSettled(List.of(second), source, 1000);
        return new Request[] {first, second};
    }

    /**
     * Waits until every request is downloading, waiting inside the checker (for a lock or for
     * someone else's download), or finished, for three samples in a row; or until the cap.
     */
    private static void awaitSettled(List<Request> requests, SlowSource source, long capMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(capMs);
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() < deadline) {
            boolean settled = true;
            for (Request r : requests) {
                Thread.State s = r.thread.getState();
                boolean ok = s == Thread.State.TERMINATED || source.downloading.contains(r.thread)
                        || r.entered && (s == Thread.State.BLOCKED || s == Thread.State.WAITING
                                || s == Thread.State.TIMED_WAITING);
                settled &= ok;
            }
            quiet = settled ? quiet + 1 : 0;
            Thread.sleep(2);
        }
    }

    private static void joinAll(List<Request> requests) throws InterruptedException {
        for (Request r : requests) {
            r.join();
            if (r.thread.isAlive()) {
                fail(r.name + " still had no answer 2 s after the table was downloaded: it waits for something"
                        + " that will not happen");
            }
        }
    }
}
