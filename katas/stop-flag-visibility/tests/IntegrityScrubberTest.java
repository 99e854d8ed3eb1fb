package stopflagvisibility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/*
 * The test JVM of this kata runs the race detector (see jvm_args in kata.toml): a read of a
 * field that nothing orders after its last write fails the test as a race, on its first
 * occurrence. These tests make the reads a service makes: the health page's, and the loop's
 * after stop().
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IntegrityScrubberTest {

    /** Passes after which the scrubber has surely been running a while. */
    private static final long WARM_PASSES = 200_000;
    /** How long a stopped scrubber may take to end: a pass takes microseconds. */
    private static final long STOP_WITHIN_MS = 500;
    /** Words in an index whose pass takes about a millisecond or more. */
    private static final int LONG_PASS_WORDS = 1 << 20;
    /** How long to watch a scrubber said to have ended: many passes' time. */
    private static final long AFTER_END_MS = 50;

    @Test
    @Order(1)
    @DisplayName("a scrubber that has been running for a while stops when asked")
    void stopsAfterRunningForAWhile() throws Exception {
        IntegrityScrubber scrubber = new IntegrityScrubber(index(64));
        scrubber.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (scrubber.passes() < WARM_PASSES && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        long passesAtStop = scrubber.passes();
        if (passesAtStop == 0) {
            scrubber.stop();
            scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS);
            fail("the health page saw no scrubber pass at all in 1.5 s after start(): either the scrubber"
                    + " does not run, or its pass count is not visible to other threads");
        }

        scrubber.stop();
        callerNotInterrupted(scrubber);
        if (!scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS)) {
            long later = scrubber.passes();
            throw Pitfalls.leak(String.format(
                    "stop() returned after %,d passes, but %d ms later the integrity-scrubber thread is still"
                            + " running (%s): it never acted on the stop request, and it will spin until the JVM"
                            + " exits, burning a core. Either the loop never sees the request (a plain, non-volatile"
                            + " flag: once the loop is compiled, the JIT may read it once and keep the value, since"
                            + " the Java memory model does not promise that one thread ever sees another's plain"
                            + " write), or stop() sends a signal the loop does not check (an interrupt the loop never"
                            + " looks for, or one that never reaches the scrubber's thread).",
                    passesAtStop, STOP_WITHIN_MS,
                    later > passesAtStop ? String.format("%,d passes now", later) : "its pass count no longer moves"));
        }
        assertEquals(0, scrubber.mismatches(), "the index was never changed, so no pass may find a mismatch");
    }

    @Test
    @Order(2)
    @DisplayName("a scrubber stopped right after it started stops too")
    void stopsRightAfterStart() throws Exception {
        for (int i = 0; i < 20; i++) {
            IntegrityScrubber scrubber = new IntegrityScrubber(index(16));
            scrubber.start();
            scrubber.stop();
            callerNotInterrupted(scrubber);
            if (!scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS)) {
                throw Pitfalls.leak("a scrubber stopped right after start() was still running " + STOP_WITHIN_MS
                        + " ms later (round " + (i + 1) + ", of 20 that start and stop at once). Either the scrubber"
                        + " thread never saw the stop request (a plain flag, or a signal the loop does not check),"
                        + " or the request was lost: a thread that sets its flag to true itself, after stop() had"
                        + " already cleared it, runs forever. The scrubber is running from the moment start()"
                        + " returns.");
            }
            assertEquals(0, scrubber.mismatches(), "the index was never changed");
        }
    }

    @Test
    @Order(3)
    @DisplayName("awaitTermination on a scrubber still running waits for its timeout and says it has not ended")
    void awaitTerminationWaitsForItsTimeout() throws Exception {
        IntegrityScrubber scrubber = new IntegrityScrubber(index(16));
        scrubber.start();
        try {
            Answer answer = awaitTermination(scrubber, 150, TimeUnit.MILLISECONDS, 1500);
            if (answer == null) {
                fail("awaitTermination(150 ms) on a scrubber that was never stopped had not returned 1.5 s later:"
                        + " it must give up after its timeout");
            }
            if (answer.ended()) {
                fail("awaitTermination(150 ms) returned true, but the scrubber was never stopped and is still running");
            }
            if (answer.elapsedMs() < 140) {
                fail("awaitTermination(150 ms) returned false after " + answer.elapsedMs() + " ms, on a scrubber that"
                        + " was never stopped: it must wait up to its whole timeout for the thread to end");
            }
            // timeouts shorter than a millisecond, and none at all: no wait, an answer at once
            for (TimeUnit unit : new TimeUnit[] {TimeUnit.MICROSECONDS, TimeUnit.MILLISECONDS}) {
                long timeout = unit == TimeUnit.MICROSECONDS ? 500 : 0;
                String call = "awaitTermination(" + timeout + (unit == TimeUnit.MICROSECONDS ? " µs)" : " ms)");
                Answer quick = awaitTermination(scrubber, timeout, unit, 1000);
                if (quick == null) {
                    fail(call + " on a scrubber that was never stopped had not returned 1 s later: a timeout"
                            + " shorter than a millisecond, or 0, means a quick look, not a wait without end");
                }
                if (quick.ended()) {
                    fail(call + " returned true, but the scrubber was never stopped and is still running");
                }
            }
            // the longest timeouts there are, as a caller that means "however long it takes" passes them: no
            // answer while the scrubber runs, and true once it has been stopped and has ended
            Map<String, CompletableFuture<Answer>> longest = new LinkedHashMap<>();
            for (TimeUnit unit : new TimeUnit[] {TimeUnit.DAYS, TimeUnit.NANOSECONDS}) {
                longest.put("awaitTermination(Long.MAX_VALUE, " + unit + ")", awaitTerminationAsync(scrubber, Long.MAX_VALUE, unit));
            }
            Thread.sleep(100);
            for (Map.Entry<String, CompletableFuture<Answer>> call : longest.entrySet()) {
                if (call.getValue().isDone()) {
                    Answer early = answerOf(call.getValue(), call.getKey());
                    fail(call.getKey() + " on a scrubber that was never stopped returned " + early.ended() + " after "
                            + early.elapsedMs() + " ms: with the longest timeout there is, it waits until the thread"
                            + " has ended (a deadline of now plus that timeout overflows a long)");
                }
            }
            scrubber.stop();
            for (Map.Entry<String, CompletableFuture<Answer>> call : longest.entrySet()) {
                Answer after = answerOf(call.getValue(), call.getKey());
                if (after == null || !after.ended()) {
                    fail(call.getKey() + " on a scrubber stopped 100 ms after the call " + (after == null
                            ? "had not returned 3 s after the stop" : "returned false") + ": it must answer true"
                            + " once the thread has ended");
                }
            }
        } finally {
            scrubber.stop();
            scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** What {@code future} holds within 3 s (null if nothing); a failure of the call fails the test. */
    private static Answer answerOf(CompletableFuture<Answer> future, String call) throws Exception {
        try {
            return future.get(3, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(call + " threw " + e.getCause(), e.getCause());
        }
    }

    /** Calls {@code awaitTermination(timeout, unit)} on a thread of the service's; the answer, or what it threw. */
    private static CompletableFuture<Answer> awaitTerminationAsync(IntegrityScrubber scrubber, long timeout,
            TimeUnit unit) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        Thread.ofPlatform().name("service-thread").daemon().start(() -> {
            long t0 = System.nanoTime();
            try {
                boolean ended = scrubber.awaitTermination(timeout, unit);
                answer.complete(new Answer(ended, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
            } catch (InterruptedException | RuntimeException | Error e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** What awaitTermination answered, and after how long. */
    private record Answer(boolean ended, long elapsedMs) {
    }

    /**
     * Calls {@code awaitTermination(timeout, unit)} from a thread of the service's, as the service
     * does; null if it has not returned within {@code withinMs}.
     */
    private static Answer awaitTermination(IntegrityScrubber scrubber, long timeout, TimeUnit unit, long withinMs)
            throws Exception {
        try {
            return awaitTerminationAsync(scrubber, timeout, unit).get(withinMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        }
    }

    @Test
    @Order(4)
    @DisplayName("a word of the index changed while the scrubber runs shows on the health page")
    void aChangedIndexShowsOnTheHealthPage() throws Exception {
        IntegrityScrubber scrubber = new IntegrityScrubber(index(16));
        long[] words = indexOf(scrubber);
        if (words == null) {
            return; // the index is kept in some other shape: no bit to flip from here
        }
        scrubber.start();
        try {
            words[3] ^= 1L << 17; // what a bad memory module does
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (scrubber.mismatches() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            if (scrubber.mismatches() == 0) {
                fail("one word of the index was changed after start() (as a bad memory module would), but for"
                        + " 1.5 s the health page read mismatches() = 0: the scrubber's passes must count it, and the"
                        + " count must reach the thread that reads it");
            }
        } finally {
            scrubber.stop();
            scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    @Order(5)
    @DisplayName("awaitTermination says the scrubber has ended only once it has: no pass comes after that")
    void awaitTerminationTrueMeansEnded() throws Exception {
        for (int round = 1; round <= 3; round++) {
            // a big index: each pass takes a while, so stop() comes in the middle of one
            IntegrityScrubber scrubber = new IntegrityScrubber(index(LONG_PASS_WORDS));
            scrubber.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (scrubber.passes() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            scrubber.stop();
            if (!scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS)) {
                throw Pitfalls.leak("a scrubber stopped after " + scrubber.passes() + " passes was still running "
                        + STOP_WITHIN_MS + " ms later (awaitTermination returned false)");
            }
            long passesWhenEnded = scrubber.passes();
            Thread.sleep(AFTER_END_MS);
            long later = scrubber.passes();
            if (later != passesWhenEnded) {
                fail(String.format("awaitTermination returned true after stop(), with passes() = %,d, and %d ms later"
                        + " passes() was %,d (round %d): the scrubber finished a pass after awaitTermination had said"
                        + " it had ended. It must say true only once the scrubber's thread has ended: join the"
                        + " thread, or wait for a signal the thread gives as its very last step, not for the stop"
                        + " request itself.", passesWhenEnded, AFTER_END_MS, later, round));
            }
            if (scrubber.mismatches() != 0) {
                fail(String.format("The index was never changed, yet once the scrubber stopped in the middle of a"
                        + " pass, mismatches() said %d (passes() %,d; round %d). stop() lets the scrubber finish the"
                        + " pass it is in: a pass cut short is not a pass that found the index changed.",
                        scrubber.mismatches(), passesWhenEnded, round));
            }
        }
    }

    /** The scrubber's own copy of the index, the array a bad memory module would change; null if it keeps none. */
    private static long[] indexOf(IntegrityScrubber scrubber) throws IllegalAccessException {
        for (java.lang.reflect.Field field : IntegrityScrubber.class.getDeclaredFields()) {
            if (field.getType() == long[].class && !java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                field.setAccessible(true);
                return (long[]) field.get(scrubber);
            }
        }
        return null;
    }

    @Test
    @Order(6)
    @DisplayName("stop() on a thread that is itself being interrupted leaves that interrupt as it was")
    void stopKeepsItsCallersOwnInterrupt() throws Exception {
        IntegrityScrubber scrubber = new IntegrityScrubber(index(16));
        scrubber.start();
        Thread.currentThread().interrupt(); // the service's thread is being shut down as it stops the scrubber
        boolean kept;
        try {
            scrubber.stop();
        } finally {
            kept = Thread.interrupted();
        }
        if (!scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.leak("a scrubber stopped by a thread that was itself being interrupted was still running "
                    + STOP_WITHIN_MS + " ms later.");
        }
        if (!kept) {
            fail("stop() was called on a thread whose interrupt status was set (the service's own thread, itself"
                    + " being shut down), and it returned with that status cleared: the service's thread no longer"
                    + " knows it was asked to stop. stop() must leave its caller's interrupt status as it found it:"
                    + " if it waits and catches InterruptedException, it sets the status again.");
        }
    }

    /**
     * The service starts the scrubber on one of its threads and stops it from another (its shutdown
     * hook, say). That thread is ordered after start() only by what the scrubber's own code does:
     * whatever stop() reads that start() wrote must be safe to read there.
     */
    @Test
    @Order(7)
    @DisplayName("a scrubber started on one of the service's threads is stopped from another")
    void stopFromAnotherThreadOfTheService() throws Exception {
        IntegrityScrubber scrubber = new IntegrityScrubber(index(16));
        java.util.concurrent.CountDownLatch isolated = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread shutdown = Thread.ofPlatform().name("service-shutdown").start(() -> {
            dev.kata.probe.api.RaceDetector.isolateCurrentThread();
            isolated.countDown();
            try {
                started.await();
                scrubber.stop();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        if (!isolated.await(2, TimeUnit.SECONDS)) {
            fail("the service's shutdown thread did not start within 2 s");
        }
        scrubber.start();
        started.countDown();
        shutdown.join(STOP_WITHIN_MS);
        if (thrown.get() != null) {
            throw new AssertionError("stop(), called from another of the service's threads than the one that"
                    + " called start(), threw " + thrown.get(), thrown.get());
        }
        if (!scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.leak("a scrubber stopped from another of the service's threads than the one that started"
                    + " it was still running " + STOP_WITHIN_MS + " ms later.");
        }
    }

    /** Fails if stop() left its caller, not the scrubber, interrupted. */
    private static void callerNotInterrupted(IntegrityScrubber scrubber) throws InterruptedException {
        if (Thread.interrupted()) {
            scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS);
            fail("after stop() returned, the thread that called it (the service's thread, not the scrubber) was"
                    + " interrupted: stop() interrupted its caller, so its next wait would fail with"
                    + " InterruptedException. To stop the scrubber by interruption, interrupt the scrubber's thread.");
        }
    }

    private static long[] index(int words) {
        long[] index = new long[words];
        for (int i = 0; i < words; i++) {
            index[i] = 0x9E3779B97F4A7C15L * (i + 1);
        }
        return index;
    }

    /**
     * The race detector follows the scrubber's own fields; what an atomic holds is the JDK's, and a
     * call into the JDK counts as ordering. So a plain access mode of an atomic, which orders
     * nothing, is looked for in the code itself.
     */
    @Test
    @Order(8)
    @DisplayName("no atomic of the scrubber's is read or written in plain mode (getPlain, setPlain)")
    void noAtomicIsAccessedInPlainMode() {
        for (String plain : new String[] {"getPlain", "setPlain", "weakCompareAndSetPlain"}) {
            if (dev.kata.probe.api.LearnerCode.mentions(IntegrityScrubber.class, plain)) {
                throw Pitfalls.race("Your IntegrityScrubber calls " + plain + "() on an atomic: that is the atomic's"
                        + " plain mode, which orders nothing, as a plain field does: a read of the flag in plain"
                        + " mode may never see the write of another thread (the JIT may read it once for a whole"
                        + " loop), and a plain write may never be seen. Use get() and set(), or getOpaque() for a"
                        + " flag that only needs to be seen eventually.");
            }
        }
    }
}
