package leakalert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import leakalert.AlertService.Alert;
import leakalert.AlertService.AlertGateway;
import leakalert.AlertService.Receipt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the leak-alert kata. The gateway doubles below decide, per alert, whether
 * the third-party API answers at once, answers only after the caller has given up, or hangs
 * until it is interrupted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertServiceTest {

    /** The timeout the tests pass to send() when the gateway will not answer in time. */
    private static final Duration GIVE_UP = Duration.ofMillis(50);
    /** How late after its timeout send() may return before it counts as not returning. */
    private static final long RETURN_SLACK_MS = 750;
    /** How long a worker may take to end once send() has returned. */
    private static final long WORKER_END_MS = 750;

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void workerEndsWhenTheGatewayAnswersAfterTheCallerGaveUp() throws Exception {
        ScriptedGateway gateway = new ScriptedGateway();
        Call call = gateway.late("A-7");
        AlertService service = new AlertService(gateway);
        try {
            Optional<Receipt> result = sendOnTime(service, alert("A-7"), GIVE_UP);
            expectEmpty(result, "A-7");
        } finally {
            call.release(); // the gateway answers now, after the caller has given up
        }

        long deadline = deadlineIn(WORKER_END_MS);
        if (!call.awaitEntered(deadline)) {
            return; // the worker never called the gateway: nothing of it is left to check here
        }
        Thread worker = call.thread;
        if (!endsBy(worker, deadline)) {
            throw Pitfalls.leak("Alert A-7: send() gave up after " + GIVE_UP.toMillis()
                    + " ms and returned empty, as it should. Then the gateway answered, late. "
                    + "The worker that made the call is still alive, " + whereIs(worker) + ". "
                    + lateWorkerStory(worker) + daemonNote(worker));
        }
    }

    @Test
    @Order(2)
    void hangingGatewayCallIsCancelledWhenTheCallerGivesUp() throws Exception {
        ScriptedGateway gateway = new ScriptedGateway();
        Call call = gateway.hanging("B-12");
        AlertService service = new AlertService(gateway);

        Optional<Receipt> result = sendOnTime(service, alert("B-12"), GIVE_UP);
        expectEmpty(result, "B-12");

        long deadline = deadlineIn(WORKER_END_MS);
        if (!call.awaitEntered(deadline)) {
            return; // the worker never called the gateway: nothing of it is left to check here
        }
        Thread worker = call.thread;
        if (!call.awaitInterrupted(deadline)) {
            throw Pitfalls.leak("Alert B-12: send() gave up after " + GIVE_UP.toMillis()
                    + " ms, but the gateway call it started is still running " + WORKER_END_MS
                    + " ms later: nothing cancelled it. This gateway, like a stuck HTTP call, "
                    + "waits until it is interrupted, so the worker making the call will never "
                    + "end; it is " + whereIs(worker) + ". Giving up must cancel the work it "
                    + "started: interrupt the worker (Thread.interrupt, or Future.cancel(true)), "
                    + "the Java form of cancelling a Go context." + daemonNote(worker));
        }
        if (!endsBy(worker, deadline)) {
            int calls = call.calls.get();
            String why = calls > 1
                    ? "The gateway call was interrupted, but the worker then called the gateway "
                            + "again (" + calls + " calls for one alert): it treated the interrupt "
                            + "as a hiccup to retry instead of an order to stop. An "
                            + "InterruptedException means \"give up now\": let the worker end."
                    : "The gateway call was interrupted, yet the worker did not end: it went on "
                            + "instead of stopping when told to.";
            throw Pitfalls.leak("Alert B-12: send() gave up after " + GIVE_UP.toMillis()
                    + " ms. " + why + " The worker is still alive, " + whereIs(worker) + ".");
        }
    }

    @Test
    @Order(3)
    void receiptComesBackWhenTheGatewayAnswersInTime() throws Exception {
        ScriptedGateway gateway = new ScriptedGateway();
        AlertService service = new AlertService(gateway);
        Duration timeout = Duration.ofSeconds(1);
        List<Call> calls = new ArrayList<>();
        // Whether an answer at once is ready before the caller waits for it is a race that a busy or
        // a one-core machine seldom lets the worker win: many sends give it many chances.
        for (int i = 1; i <= FAST_SENDS; i++) {
            String id = "F-" + i;
            calls.add(gateway.fast(id));
            Optional<Receipt> result = service.send(alert(id), timeout); // on this thread: a call answered at once is quick
            if (result.isEmpty()) {
                fail("Alert " + id + " (send " + i + " of " + FAST_SENDS + " whose gateway answers at once): the"
                        + " gateway answered at once, but send(" + id + ", " + timeout.toMillis() + " ms) returned"
                        + " empty. The fast path must still hand the receipt to the caller, also when the worker"
                        + " has it before the caller starts waiting.");
            }
            assertEquals(receiptFor(id), result.get(), "Alert " + id + ": send() returned a receipt for another alert");
        }
        for (int i = 1; i <= 7; i++) {
            // Odd alerts are answered at once (the worker may be ready before the caller waits),
            // even ones after a short delay (the caller is already waiting for the worker), and the
            // last well into the timeout (the whole timeout is the caller's, not a part of it).
            String id = "C-" + i;
            Call call = i == 7 ? gateway.script(id, Mode.WELL_IN_TIME) : i % 2 == 1 ? gateway.fast(id) : gateway.slightlySlow(id);
            calls.add(call);
            Optional<Receipt> result = sendOnTime(service, alert(id), timeout);
            if (result.isEmpty()) {
                fail("Alert " + id + ": the gateway answered "
                        + (i == 7 ? "after " + ScriptedGateway.WELL_IN_TIME_MS + " ms" : i % 2 == 1 ? "at once"
                                : "within " + ScriptedGateway.SLIGHTLY_SLOW_MS + " ms")
                        + ", but send(" + id + ", " + timeout.toMillis() + " ms) returned empty"
                        + (i == 7 ? ": wait for the receipt as long as the timeout allows." : ". The fast path must "
                                + "still hand the receipt to the caller."));
            }
            assertEquals(receiptFor(id), result.get(),
                    "Alert " + id + ": send() returned a receipt for another alert");
        }
        // A pool that keeps its idle threads for a while (a keep-alive) lets them end later, on their own:
        // the test looks now, before any keep-alive runs out, latest send first (its thread went idle last).
        java.util.Set<Thread> looked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Call call : calls.reversed()) {
            Thread worker = call.thread;
            if (worker != null && looked.add(worker) && worker.isAlive() && keptIdleInAPool(worker)) {
                throw Pitfalls.leak("Alert " + call.alertId + " was delivered and its receipt returned, yet the"
                        + " thread that called the gateway is still alive, waiting in a thread pool for more work ("
                        + whereIs(worker) + "), and nothing has shut that pool down. The service has no close():"
                        + " a thread a pool keeps for later, even for a short keep-alive, is a thread left behind"
                        + " after every burst of alerts. Start the work on a thread that ends with it, or shut a"
                        + " pool of your own down once the send is over.");
            }
        }
        // The sends above ran one after another, each returning before the next began: a thread that
        // called the gateway for two of them outlived the first send and waited for more work. Unlike
        // the look above, this does not depend on looking before a short keep-alive runs out.
        Map<Thread, Call> firstCallOf = new java.util.IdentityHashMap<>();
        for (Call call : calls) {
            Thread worker = call.thread;
            if (worker == null || worker == Thread.currentThread()) {
                continue;
            }
            Call earlier = firstCallOf.putIfAbsent(worker, call);
            if (earlier != null) {
                throw Pitfalls.leak("Alerts " + earlier.alertId + " and " + call.alertId + " were sent one after the"
                        + " other, the second only once send(" + earlier.alertId + ") had returned its receipt, and"
                        + " the same thread (\"" + worker.getName() + "\") made both gateway calls: it outlived the"
                        + " first send and waited for more work, kept by a pool that nothing shuts down. The service"
                        + " has no close(): a thread a pool keeps for later, even for a short keep-alive, is a thread"
                        + " left behind after every burst of alerts. Start the work on a thread that ends with it.");
            }
        }
        long deadline = deadlineIn(WORKER_END_MS);
        for (Call call : calls) {
            if (call.awaitEntered(deadline) && !endsBy(call.thread, deadline)) {
                throw Pitfalls.leak("Alert " + call.alertId + " was delivered and its receipt "
                        + "returned, yet its worker is still alive, " + whereIs(call.thread)
                        + ". A worker must end once its receipt is handed over.");
            }
        }
    }

    @Test
    @Order(4)
    void manyTimedOutSendsLeaveNoThreadsBehind() throws Exception {
        ScriptedGateway gateway = new ScriptedGateway();
        AlertService service = new AlertService(gateway);
        List<Call> abandoned = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            // Mostly 10 ms; once no time at all, and once less than a millisecond.
            Duration timeout = i == 1 ? Duration.ZERO : i == 2 ? Duration.ofNanos(500_000) : Duration.ofMillis(10);
            // A late answer and a hung call, then an alert the gateway answers at once: it must
            // get its own receipt, whatever the abandoned ones left behind.
            Call late = gateway.late("L-" + i);
            abandoned.add(late);
            try {
                expectEmpty(sendOnTime(service, alert(late.alertId), timeout), late.alertId);
            } finally {
                late.release();
            }
            Call hung = gateway.hanging("H-" + i);
            abandoned.add(hung);
            expectEmpty(sendOnTime(service, alert(hung.alertId), timeout), hung.alertId);

            String id = "F-" + i;
            gateway.fast(id);
            Optional<Receipt> result = sendOnTime(service, alert(id), Duration.ofSeconds(1));
            if (result.isEmpty()) {
                fail("Alert " + id + ": the gateway answered at once, but send() returned empty.");
            }
            assertEquals(receiptFor(id), result.get(), "Alert " + id + ": send() returned the "
                    + "receipt of another alert, one that an earlier, abandoned send left behind");
        }

        long deadline = deadlineIn(WORKER_END_MS);
        List<String> alive = new ArrayList<>();
        String example = null;
        for (Call call : abandoned) {
            if (call.awaitEntered(deadline) && !endsBy(call.thread, deadline)) {
                alive.add(call.alertId);
                if (example == null) {
                    example = call.alertId + " is " + whereIs(call.thread);
                }
            }
        }
        if (!alive.isEmpty()) {
            throw Pitfalls.leak(abandoned.size() + " sends timed out in a row, and " + alive.size()
                    + " of their workers are still alive: " + alive + ". For example " + example
                    + ". Every slow alert adds threads that never end; at a few hundred alerts a "
                    + "second that is tens of thousands of threads within minutes.");
        }
    }


    /**
     * Seeded scenarios: several callers at once on one service (reused across rounds), each with
     * its own gateway behaviour, some of them interrupted while they wait. After every round:
     * each caller got its own receipt or empty as its gateway decided, on time, and every worker
     * has ended.
     */
    @Test
    @Order(5)
    void concurrentSendsOnOneServiceEachGetTheirOwnOutcome() throws Exception {
        long seed = Long.getLong("kata.seed", System.nanoTime());
        Random random = new Random(seed);
        ScriptedGateway gateway = new ScriptedGateway();
        AlertService service = new AlertService(gateway);
        long fastestLateReturnMs = Long.MAX_VALUE;
        for (int round = 1; round <= ROUNDS; round++) {
            int callers = round == 1 ? 6 : 1 + random.nextInt(6);
            List<Plan> plans = new ArrayList<>();
            for (int c = 1; c <= callers; c++) {
                Mode mode = DRAWN[random.nextInt(DRAWN.length)];
                boolean interrupt = (mode == Mode.LATE || mode == Mode.HANGING) && random.nextInt(4) == 0;
                plans.add(new Plan("R" + round + "-" + c, mode, interrupt));
            }
            if (round == 2) {
                // A call answered in time next to callers that give up or are interrupted.
                plans = List.of(new Plan("R2-1", Mode.SLIGHTLY_SLOW, false),
                        new Plan("R2-2", Mode.HANGING, false), new Plan("R2-3", Mode.LATE, false),
                        new Plan("R2-4", Mode.HANGING, true), new Plan("R2-5", Mode.LATE, true));
            }
            String scenario = "seed " + seed + ", round " + round + ": " + plans;
            List<Outcome> outcomes = runRound(service, gateway, plans, scenario);
            for (Outcome o : outcomes) {
                if (o.plan.mode == Mode.LATE && !o.plan.interrupt) {
                    fastestLateReturnMs = Math.min(fastestLateReturnMs, o.lateMs);
                }
            }
            checkWorkersEnded(outcomes, scenario);
        }
        if (fastestLateReturnMs != Long.MAX_VALUE && fastestLateReturnMs > LATE_RETURN_FLOOR_MS) {
            throw Pitfalls.timeout("seed " + seed + ": every send() whose gateway answered only "
                    + "after the caller gave up returned at least " + fastestLateReturnMs + " ms "
                    + "after its " + GIVE_UP_ROUND.toMillis() + " ms timeout. send() must return "
                    + "when its timeout is up, without waiting for the worker to finish.");
        }
    }

    /**
     * The gateway gets the whole timeout, however short. A send whose gateway has not answered
     * returns empty only once its timeout has passed: the JDK's timed waits never return sooner,
     * so a correct send is never early, while one that rounds a timeout below a millisecond down
     * to 0 gives up at once. Sends answered at once first use up the noise pauses of this thread (see
     * probe.noise), which would otherwise stretch an early return past the timeout.
     */
    @Test
    @Order(6)
    void theGatewayGetsTheWholeTimeoutHoweverShort() throws Exception {
        ScriptedGateway gateway = new ScriptedGateway();
        AlertService service = new AlertService(gateway);
        for (int i = 1; i <= WARM_UP_SENDS; i++) {
            gateway.fast("W-" + i);
            service.send(alert("W-" + i), ANSWERED_TIMEOUT);
        }
        long[] timeoutsMicros = {900, 500, 200, 1_500, 1_900};
        int early = 0;
        int sends = 0;
        String first = null;
        for (int round = 1; round <= SHORT_TIMEOUT_ROUNDS; round++) {
            for (long micros : timeoutsMicros) {
                String id = "S-" + round + "-" + micros;
                gateway.hanging(id);
                Duration timeout = Duration.ofNanos(micros * 1_000);
                long start = System.nanoTime();
                Optional<Receipt> result = service.send(alert(id), timeout); // on this thread: timed from the call itself
                long tookMicros = (System.nanoTime() - start) / 1_000;
                expectEmpty(result, id);
                sends++;
                if (tookMicros < micros) {
                    early++;
                    if (first == null) {
                        first = "send(" + id + ", " + micros + " µs) returned empty after " + tookMicros + " µs";
                    }
                }
            }
        }
        if (early > 0) {
            fail(early + " of " + sends + " sends whose gateway had not answered yet returned before their timeout"
                    + " was up, for example " + first + ". A gateway answering just before the timeout would"
                    + " have been in time, and its receipt lost. Give the gateway the whole timeout, however"
                    + " short. One way to cut it: a wait in whole milliseconds (toMillis()) turns 900 µs into 0 and"
                    + " 1,900 µs into 1 ms, where nanoseconds (toNanos()) keep it whole.");
        }
    }

    /**
     * The retry queue resends an alert whose first attempt still hangs: two sends of one alert at
     * once. Each is a call of its own: when the first caller gives up (interrupted here, so that it
     * gives up only once the resend's call is under way), it must cancel its own hung call, and not
     * the resend's, which answers in time.
     */
    @Test
    @Order(7)
    void twoSendsOfOneAlertAtOnceEachCancelOnlyTheirOwnCall() throws Exception {
        CountDownLatch firstEntered = new CountDownLatch(1);
        CountDownLatch firstInterrupted = new CountDownLatch(1);
        CountDownLatch resendEntered = new CountDownLatch(1);
        CountDownLatch resendMayAnswer = new CountDownLatch(1);
        AtomicBoolean resendInterrupted = new AtomicBoolean();
        AtomicReference<Thread> firstWorker = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        AlertService service = new AlertService(a -> {
            if (calls.incrementAndGet() == 1) {
                firstWorker.set(Thread.currentThread());
                firstEntered.countDown();
                try {
                    new CountDownLatch(1).await(); // hangs until interrupted
                } finally {
                    firstInterrupted.countDown();
                }
                throw new AssertionError("unreachable");
            }
            resendEntered.countDown();
            try {
                resendMayAnswer.await();
            } catch (InterruptedException e) {
                resendInterrupted.set(true);
                throw e;
            }
            return receiptFor(a.id());
        });
        Alert alert = alert("C-5");
        AtomicReference<Object> firstOutcome = new AtomicReference<>();
        AtomicReference<Object> resendOutcome = new AtomicReference<>();
        Thread first = Thread.ofPlatform().name("retry-queue-first")
                .start(() -> firstOutcome.set(sendCatching(service, alert)));
        if (!firstEntered.await(WORKER_END_MS, TimeUnit.MILLISECONDS)) {
            first.interrupt();
            return; // the first send never called the gateway: the other tests say why
        }
        Thread resend = Thread.ofPlatform().name("retry-queue-resend")
                .start(() -> resendOutcome.set(sendCatching(service, alert)));
        if (!resendEntered.await(WORKER_END_MS, TimeUnit.MILLISECONDS)) {
            first.interrupt();
            resendMayAnswer.countDown();
            return;
        }
        first.interrupt(); // the first caller gives up, with both calls of alert C-5 under way
        first.join(WORKER_END_MS);
        boolean firstCancelled = firstInterrupted.await(WORKER_END_MS, TimeUnit.MILLISECONDS);
        resendMayAnswer.countDown();
        resend.join(WORKER_END_MS);
        String scene = "Alert C-5 was sent twice at once (the retry queue resent it while its first attempt hung), "
                + "and the first caller was interrupted while both gateway calls were under way";
        if (resendInterrupted.get() || !(resendOutcome.get() instanceof Optional<?> o && o.isPresent())) {
            String got = "the resend's send() " + (resend.isAlive() ? "has not returned" : "gave " + resendOutcome.get())
                    + " instead of its receipt, its gateway answering in time";
            fail(scene + (resendInterrupted.get()
                    ? ". The resend's own gateway call was interrupted, although nobody gave up on the resend, and "
                            + got + ": giving up on one send of an alert must cancel that send's own call, not"
                            + " another one's (two sends of one alert are two calls)."
                    : ". The resend's gateway call was not interrupted, yet " + got + "."));
        }
        if (!firstCancelled) {
            throw Pitfalls.leak(scene + ". The first send's gateway call, hung until interrupted, was never "
                    + "interrupted: its worker is " + whereIs(firstWorker.get()) + ". A send that gives up cancels"
                    + " the call it started itself, whatever other send of the same alert is running.");
        }
    }

    /**
     * The retry queue resends an alert while its first attempt is still waiting for the gateway,
     * which then answers the first attempt in time: nobody gave up on it, so the resend must not
     * cancel it (a resend is a call of its own, not a replacement of the first).
     */
    @Test
    @Order(8)
    @DisplayName("a resend while the first attempt waits: the first attempt, answered in time, still gets its receipt")
    void aResendDoesNotCancelTheFirstAttempt() throws Exception {
        CountDownLatch firstEntered = new CountDownLatch(1);
        CountDownLatch firstMayAnswer = new CountDownLatch(1);
        CountDownLatch resendEntered = new CountDownLatch(1);
        AtomicBoolean firstInterrupted = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AlertService service = new AlertService(a -> {
            if (calls.incrementAndGet() == 1) {
                firstEntered.countDown();
                try {
                    firstMayAnswer.await();
                } catch (InterruptedException e) {
                    firstInterrupted.set(true);
                    throw e;
                }
                return receiptFor(a.id());
            }
            resendEntered.countDown();
            return receiptFor(a.id());
        });
        Alert alert = alert("C-6");
        AtomicReference<Object> firstOutcome = new AtomicReference<>();
        AtomicReference<Object> resendOutcome = new AtomicReference<>();
        Thread first = Thread.ofPlatform().name("retry-queue-first")
                .start(() -> firstOutcome.set(sendCatching(service, alert)));
        Thread resend = null;
        try {
            if (!firstEntered.await(WORKER_END_MS, TimeUnit.MILLISECONDS)) {
                return; // the first send never called the gateway: the other tests say why
            }
            resend = Thread.ofPlatform().name("retry-queue-resend")
                    .start(() -> resendOutcome.set(sendCatching(service, alert)));
            resend.join(WORKER_END_MS);
            resendEntered.await(WORKER_END_MS, TimeUnit.MILLISECONDS);
        } finally {
            firstMayAnswer.countDown(); // the gateway answers the first attempt, well within its timeout
        }
        first.join(WORKER_END_MS);
        if (firstInterrupted.get() || !(firstOutcome.get() instanceof Optional<?> o && o.isPresent())) {
            fail("Alert C-6 was resent while its first attempt waited for the gateway (the retry queue's resend),"
                    + " and the gateway then answered the first attempt, within its timeout. "
                    + (firstInterrupted.get()
                            ? "The first attempt's gateway call was interrupted when the resend came, although"
                                    + " nobody had given up on it, and its send() gave " + firstOutcome.get()
                                    + ": a resend is a call of its own, and must not cancel the first one."
                            : "Yet the first send() " + (first.isAlive() ? "has not returned" : "gave "
                                    + firstOutcome.get()) + " instead of its receipt."));
        }
        if (!(resendOutcome.get() instanceof Optional<?> r && r.isPresent())) {
            fail("Alert C-6 was resent while its first attempt waited for the gateway, which answered the resend at"
                    + " once; the resend's send() " + (resend != null && resend.isAlive() ? "has not returned"
                            : "gave " + resendOutcome.get()) + " instead of its receipt.");
        }
    }

    /**
     * A zero timeout gives up before the worker may have run at all. The test keeps every carrier
     * thread of the virtual-thread scheduler busy while send(0) runs, so a virtual worker started
     * then cannot run until send has returned; the gateway call it makes afterwards hangs until it
     * is interrupted. Giving up must reach a worker that has not started running yet: an interrupt
     * (or a cancel) before it runs leaves it interrupted, or its task cancelled, when it does.
     */
    @Test
    @Order(9)
    void aGiveUpReachesAWorkerThatHadNotRunYet() throws Exception {
        ScriptedGateway gateway = new ScriptedGateway();
        AlertService service = new AlertService(gateway);
        Call call = gateway.hanging("Z-1");
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicBoolean calledBeforeReturn = new AtomicBoolean();
        Thread caller;
        boolean returnedWhileBusy;
        try (BusyScheduler busy = new BusyScheduler()) {
            if (!busy.allCarriersBusy) {
                return; // the carriers could not all be taken: nothing certain to check here
            }
            caller = Thread.ofPlatform().name("test-caller-Z-1").start(() -> {
                Object result;
                try {
                    result = service.send(alert("Z-1"), Duration.ZERO);
                } catch (Throwable t) {
                    result = t;
                }
                calledBeforeReturn.set(call.entered.getCount() == 0);
                outcome.set(result);
            });
            returnedWhileBusy = endsBy(caller, deadlineIn(Patience.millis(RETURN_SLACK_MS, 1_000)));
        } // the carriers are free again: a worker that has not run yet runs now
        long waitMs = Patience.millis(WORKER_END_MS, 1_000);
        long deadline = deadlineIn(waitMs);
        if (!endsBy(caller, deadline)) {
            throw Pitfalls.timeout("send(Z-1, 0 ms) had not returned " + waitMs + " ms after the test freed the"
                    + " virtual-thread scheduler, long after its zero timeout: the caller is " + whereIs(caller) + ".");
        }
        if (outcome.get() instanceof Throwable t) {
            throw new AssertionError("send(Z-1, 0 ms) threw " + t, t);
        }
        if (!(outcome.get() instanceof Optional<?> result)) {
            fail("send(Z-1, 0 ms) returned null instead of an Optional");
            return;
        }
        if (result.isPresent()) {
            fail("Alert Z-1: the gateway had not answered, yet send(Z-1, 0 ms) returned " + result.get());
        }
        if (!call.awaitEntered(deadline)) {
            return; // its worker never called the gateway (cancelled before it ran): nothing is left
        }
        if (!call.awaitInterrupted(deadline)) {
            String when = calledBeforeReturn.get() ? "" : returnedWhileBusy
                    ? " It returned while the test kept every carrier thread of the virtual-thread scheduler"
                            + " busy, before the gateway had been called; once the carriers were free, a worker"
                            + " called the gateway for Z-1 anyway."
                    : " The gateway had not been called when it returned; a worker called it afterwards.";
            throw Pitfalls.leak("Alert Z-1: send(Z-1, 0 ms) returned empty, as it should." + when + " That"
                    + " gateway call, which only an interrupt ends, is still running " + waitMs + " ms later:"
                    + " nothing cancelled it, and the worker is " + whereIs(call.thread) + ". A send that gives"
                    + " up must reach its worker even if that worker has not started running yet (a zero or"
                    + " tiny timeout, a busy machine): keep the handle you get when you start it (the Thread,"
                    + " or the Future) and interrupt or cancel(true) through that; a thread interrupted before"
                    + " it runs starts with its interrupt status set.");
        }
        if (!endsBy(call.thread, deadline)) {
            throw Pitfalls.leak("Alert Z-1: send(Z-1, 0 ms) returned empty and its gateway call was"
                    + " interrupted, yet the worker that made it is still alive, " + whereIs(call.thread) + ".");
        }
    }

    /**
     * Keeps every carrier thread of the virtual-thread scheduler busy until closed, each with a
     * virtual thread that spins: a virtual thread is never taken off its carrier while it runs, so
     * one started meanwhile waits in the scheduler's queue and runs only once this is closed.
     */
    static final class BusyScheduler implements AutoCloseable {
        private final List<Thread> spinners = new ArrayList<>();
        private volatile boolean done;
        final boolean allCarriersBusy;

        BusyScheduler() throws InterruptedException {
            int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                    Runtime.getRuntime().availableProcessors());
            CountDownLatch spinning = new CountDownLatch(carriers);
            for (int i = 1; i <= carriers; i++) {
                spinners.add(Thread.ofVirtual().name("test-busy-carrier-" + i).start(() -> {
                    spinning.countDown();
                    while (!done) {
                        Thread.onSpinWait();
                    }
                }));
            }
            allCarriersBusy = spinning.await(Patience.millis(WORKER_END_MS, 1_000), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            done = true;
            for (Thread spinner : spinners) {
                spinner.join();
            }
        }
    }

    private static Object sendCatching(AlertService service, Alert alert) {
        try {
            return service.send(alert, ANSWERED_TIMEOUT.multipliedBy(5));
        } catch (Throwable t) {
            return t;
        }
    }

    private static final int ROUNDS = 8;
    /** Sends answered at once that use up this thread's noise pauses before anything is timed. */
    private static final int WARM_UP_SENDS = 40;
    /** Rounds of five short timeouts each: an early return hidden by one stall is not hidden by all. */
    private static final int SHORT_TIMEOUT_ROUNDS = 6;
    /** Sends whose gateway answers at once, in a row (see receiptComesBackWhenTheGatewayAnswersInTime). */
    private static final int FAST_SENDS = 300;
    private static final Duration GIVE_UP_ROUND = Duration.ofMillis(40);
    private static final Duration ANSWERED_TIMEOUT = Duration.ofSeconds(1);
    private static final long LATE_RETURN_FLOOR_MS = 150;

    record Plan(String alertId, Mode mode, boolean interrupt) {
        Duration timeout() {
            if (interrupt) {
                return ANSWERED_TIMEOUT; // only the interrupt should end this wait
            }
            return mode == Mode.FAST || mode == Mode.SLIGHTLY_SLOW ? ANSWERED_TIMEOUT : GIVE_UP_ROUND;
        }

        @Override
        public String toString() {
            String what = switch (mode) {
                case FAST -> "answers at once";
                case SLIGHTLY_SLOW -> "answers after " + ScriptedGateway.SLIGHTLY_SLOW_MS + " ms";
                case WELL_IN_TIME -> "answers after " + ScriptedGateway.WELL_IN_TIME_MS + " ms";
                case LATE -> "answers after the caller left";
                case HANGING -> "hangs until interrupted";
            };
            return alertId + " (gateway " + what + ", timeout " + timeout().toMillis() + " ms"
                    + (interrupt ? ", caller interrupted while it waits" : "") + ")";
        }
    }

    static final class Outcome {
        final Plan plan;
        final Call call;
        volatile Optional<Receipt> result;
        volatile Throwable thrown;
        volatile long lateMs;
        volatile boolean returned;

        Outcome(Plan plan, Call call) {
            this.plan = plan;
            this.call = call;
        }
    }

    private static List<Outcome> runRound(AlertService service, ScriptedGateway gateway,
            List<Plan> plans, String scenario) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (Plan plan : plans) {
            Call call = gateway.script(plan.alertId, plan.mode);
            Outcome o = new Outcome(plan, call);
            outcomes.add(o);
            callers.add(Thread.ofPlatform().name("test-caller-" + plan.alertId).start(() -> {
                try {
                    go.await();
                    long start = System.nanoTime();
                    try {
                        o.result = service.send(alert(plan.alertId), plan.timeout());
                    } catch (Throwable t) {
                        o.thrown = t;
                    }
                    o.lateMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                            - plan.timeout().toMillis();
                    o.returned = true;
                } catch (InterruptedException e) {
                    o.thrown = e;
                } finally {
                    if (plan.mode == Mode.LATE) {
                        call.release(); // a late gateway answers once its caller has gone
                    }
                }
            }));
        }
        go.countDown();
        for (int i = 0; i < plans.size(); i++) {
            Plan plan = plans.get(i);
            if (plan.interrupt) {
                Outcome o = outcomes.get(i);
                long deadline = deadlineIn(RETURN_SLACK_MS);
                if (o.call.awaitEntered(deadline)) {
                    callers.get(i).interrupt();
                }
            }
        }
        long deadline = deadlineIn(GIVE_UP_ROUND.toMillis() + RETURN_SLACK_MS);
        for (int i = 0; i < plans.size(); i++) {
            Outcome o = outcomes.get(i);
            Thread caller = callers.get(i);
            Plan plan = o.plan;
            boolean answers = plan.mode == Mode.FAST || plan.mode == Mode.SLIGHTLY_SLOW;
            long until = answers && !plan.interrupt ? deadlineIn(ANSWERED_TIMEOUT.toMillis()) : deadline;
            if (!endsBy(caller, Math.max(until, deadline))) {
                for (Outcome other : outcomes) {
                    other.call.release();
                }
                throw Pitfalls.timeout(scenario + ". send(" + plan.alertId + ") had not returned "
                        + (plan.interrupt ? RETURN_SLACK_MS + " ms after its caller was interrupted"
                                : "well after its " + plan.timeout().toMillis() + " ms timeout")
                        + ": the caller is " + whereIs(caller) + ".");
            }
            if (plan.interrupt) {
                boolean empty = o.thrown == null && o.result != null && o.result.isEmpty();
                if (!(o.thrown instanceof InterruptedException) && !empty) {
                    fail(scenario + ". " + plan.alertId + ": the caller was interrupted while it "
                            + "waited; send() should throw InterruptedException (or return empty), "
                            + "but it " + describe(o) + ".");
                }
                continue;
            }
            if (o.thrown != null) {
                throw new AssertionError(scenario + ". send(" + plan.alertId + ") threw "
                        + o.thrown, o.thrown);
            }
            if (o.result == null) {
                fail(scenario + ". send(" + plan.alertId + ") returned null instead of an Optional.");
            }
            if (answers) {
                if (o.result.isEmpty()) {
                    fail(scenario + ". " + plan.alertId + ": its gateway answered in time, but send() "
                            + "returned empty.");
                }
                if (!o.result.get().equals(receiptFor(plan.alertId))) {
                    fail(scenario + ". " + plan.alertId + ": send() returned " + o.result.get()
                            + ", which is not this alert's receipt.");
                }
            } else if (o.result.isPresent()) {
                fail(scenario + ". " + plan.alertId + ": its gateway had not answered, yet send() "
                        + "returned " + o.result.get() + ".");
            }
        }
        return outcomes;
    }

    private static String describe(Outcome o) {
        if (o.thrown != null) {
            return "threw " + o.thrown;
        }
        return "returned " + o.result;
    }

    private static void checkWorkersEnded(List<Outcome> outcomes, String scenario)
            throws InterruptedException {
        long deadline = deadlineIn(WORKER_END_MS);
        for (Outcome o : outcomes) {
            Call call = o.call;
            if (!call.awaitEntered(deadline)) {
                continue; // this worker never called the gateway
            }
            boolean hangs = o.plan.mode == Mode.HANGING;
            if (hangs && !call.awaitInterrupted(deadline)) {
                throw Pitfalls.leak(scenario + ". " + o.plan.alertId + ": send() has returned, but "
                        + "its gateway call, which only an interrupt ends, is still running "
                        + WORKER_END_MS + " ms later; the worker is " + whereIs(call.thread)
                        + ". The work a send started must be cancelled when that send is done.");
            }
            if (!endsBy(call.thread, deadline)) {
                throw Pitfalls.leak(scenario + ". " + o.plan.alertId + ": send() has returned, but "
                        + "the worker that called the gateway for it is still alive "
                        + WORKER_END_MS + " ms later, " + whereIs(call.thread) + ".");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Alert alert(String id) {
        return new Alert(id, "P-" + (1000 + Math.abs(id.hashCode() % 9000)), "ALT above 3x ULN");
    }

    private static Receipt receiptFor(String alertId) {
        return new Receipt(alertId, "msg-" + alertId);
    }

    /** "10 ms", "0 ms", or "500 µs" for a timeout below a millisecond. */
    private static String describe(Duration timeout) {
        return timeout.isZero() || timeout.toMillis() > 0 ? timeout.toMillis() + " ms" : timeout.toNanos() / 1_000 + " µs";
    }

    private static void expectEmpty(Optional<Receipt> result, String alertId) {
        if (result.isPresent()) {
            fail("Alert " + alertId + ": the gateway had not answered, yet send() returned "
                    + result.get());
        }
    }

    /**
     * Calls send() on a thread of its own and waits for it a little longer than its timeout,
     * so that a send() that never gives up fails here, with a message, instead of hanging.
     */
    private static Optional<Receipt> sendOnTime(AlertService service, Alert alert, Duration timeout)
            throws InterruptedException {
        CompletableFuture<Optional<Receipt>> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().name("test-caller-" + alert.id()).start(() -> {
            try {
                outcome.complete(service.send(alert, timeout));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        long limit = timeout.toMillis() + RETURN_SLACK_MS;
        try {
            Optional<Receipt> result = outcome.get(limit, TimeUnit.MILLISECONDS);
            if (result == null) {
                fail("send(" + alert.id() + ") returned null instead of an Optional");
            }
            return result;
        } catch (TimeoutException e) {
            throw Pitfalls.timeout("send(" + alert.id() + ", " + describe(timeout) + ") had "
                    + "not returned after " + limit + " ms: the caller is still waiting, "
                    + whereIs(caller) + ". A send with a timeout must return on time even when "
                    + "the gateway never answers, or answers late whatever you do to it: wait for "
                    + "the receipt with a limit, and do not wait for the worker itself to finish. "
                    + "The caller in the story waits 500 ms, not forever.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new AssertionError("send(" + alert.id() + ") threw " + cause, cause);
        }
    }

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static long millisLeft(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** Whether {@code thread} has ended by {@code deadline} (nanoTime). */
    private static boolean endsBy(Thread thread, long deadline) throws InterruptedException {
        long left = millisLeft(deadline);
        if (left > 0) {
            thread.join(Duration.ofMillis(left));
        }
        return !thread.isAlive();
    }

    /** Why a worker still alive after its late call answered matters, told from where it is. */
    private static String lateWorkerStory(Thread worker) {
        if (idleInPool(worker)) {
            return "Nothing shuts that pool down, and a thread kept waiting for work is still a thread left behind:"
                    + " every service instance keeps its own, for as long as the pool keeps idle threads"
                    + " (a fixed pool: forever), and the service has no close() to end them. Run each call"
                    + " on a thread that ends with it.";
        }
        if (handingOff(worker)) {
            return "It is waiting to hand its receipt over, and the caller that would take it left long"
                    + " ago; nothing will ever take it, so this thread is stuck until the JVM stops (in Go:"
                    + " a goroutine blocked forever sending on an unbuffered channel). One such thread per"
                    + " slow alert, thousands at peak: that is how the alert service ran out of memory."
                    + " When the caller gives up, the worker must be able to finish without a taker.";
        }
        return "Once its late call has answered, nothing should keep it: a worker per slow alert that"
                + " stays, thousands at peak, is how the alert service ran out of memory.";
    }

    /**
     * Whether {@code thread} comes to wait in a pool for more work and stays there with no one
     * interrupting it: a thread kept for later, not one on its way out. A ThreadPoolExecutor that is
     * shutting down interrupts its idle threads, which then end without waiting again, so two looks
     * 2 ms apart tell; they are close together so that a pool whose idle threads time out soon
     * (250 ms) is still seen on a machine so busy that this thread hardly runs. A ForkJoinPool
     * shutting down wakes its idle threads without interrupting them: five looks 10 ms apart. A
     * thread still finishing its call gets a while to get there; one that ends is not kept.
     */
    private static boolean keptIdleInAPool(Thread thread) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(dev.kata.probe.api.Patience.millis(200, 1000));
        int idleLooks = 0;
        while (thread.isAlive() && System.nanoTime() < until) {
            Thread.State state = thread.getState();
            boolean idle = !thread.isInterrupted() && idleInPool(thread)
                    && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING);
            idleLooks = idle ? idleLooks + 1 : 0;
            boolean interruptedIfShutDown = idle && inThreadPoolExecutor(thread);
            if (idleLooks >= (interruptedIfShutDown ? 2 : 5)) {
                return true;
            }
            Thread.sleep(interruptedIfShutDown ? 2 : 10);
        }
        return false;
    }

    private static boolean inThreadPoolExecutor(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("java.util.concurrent.ThreadPoolExecutor")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the thread is a pool's idle thread, waiting for its next task. */
    static boolean idleInPool(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            String at = frame.getClassName() + "." + frame.getMethodName();
            if (at.equals("java.util.concurrent.ThreadPoolExecutor.getTask")
                    || at.equals("java.util.concurrent.ForkJoinPool.awaitWork")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the thread waits in a hand-off of java.util.concurrent (a queue's put, an exchange). */
    private static boolean handingOff(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            String cls = frame.getClassName();
            String method = frame.getMethodName();
            if (cls.startsWith("java.util.concurrent.") && (cls.endsWith("Queue") || cls.endsWith("Exchanger"))
                    && (method.equals("put") || method.equals("offer") || method.equals("transfer")
                            || method.equals("exchange"))) {
                return true;
            }
        }
        return false;
    }

    /** Where a thread is stuck, in the learner's terms: which call, at which line of their file. */
    static String whereIs(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        String testClass = AlertServiceTest.class.getName();
        int learner = -1;
        for (int i = 0; i < stack.length; i++) {
            String cls = stack[i].getClassName();
            if (cls.startsWith("leakalert.") && !cls.startsWith(testClass)) {
                learner = i;
                break;
            }
        }
        String state = thread.getState().toString();
        if (learner < 0) {
            return idleInPool(thread)
                    ? "idle in a thread pool, waiting for its next task (" + state + "): its call is over, but the"
                            + " pool keeps the thread"
                    : "in state " + state;
        }
        StackTraceElement at = stack[learner];
        String line = (at.getFileName() == null ? at.getClassName() : at.getFileName())
                + ":" + at.getLineNumber();
        if (learner == 0) {
            return "running at " + line;
        }
        StackTraceElement callee = stack[learner - 1];
        String what;
        if (callee.getClassName().startsWith(testClass)) {
            what = "inside the gateway call";
        } else {
            String cls = callee.getClassName();
            what = "in " + cls.substring(cls.lastIndexOf('.') + 1) + "." + callee.getMethodName();
        }
        return what + " (" + state + ") at " + line;
    }

    /** A platform daemon thread is still a leaked thread; say so if that is what we found. */
    private static String daemonNote(Thread worker) {
        if (!worker.isVirtual() && worker.isDaemon()) {
            return " Making it a daemon thread changes nothing here: daemon only means it will "
                    + "not keep the JVM from exiting; the thread and everything it holds stay.";
        }
        return "";
    }

    // ------------------------------------------------------------------ the gateway double

    enum Mode { FAST, SLIGHTLY_SLOW, WELL_IN_TIME, LATE, HANGING }

    /** The modes the generated rounds draw from (WELL_IN_TIME would make a round last 400 ms). */
    private static final Mode[] DRAWN = {Mode.FAST, Mode.SLIGHTLY_SLOW, Mode.LATE, Mode.HANGING};

    /** What happened to the gateway call for one alert. */
    static final class Call {
        final String alertId;
        final Mode mode;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        volatile Thread thread;

        Call(String alertId, Mode mode) {
            this.alertId = alertId;
            this.mode = mode;
        }

        void release() {
            released.countDown();
        }

        boolean awaitEntered(long deadline) throws InterruptedException {
            return entered.await(millisLeft(deadline), TimeUnit.MILLISECONDS);
        }

        boolean awaitInterrupted(long deadline) throws InterruptedException {
            return interrupted.await(millisLeft(deadline), TimeUnit.MILLISECONDS);
        }
    }

    /** A stand-in for the third-party API whose behaviour the test sets per alert. */
    static final class ScriptedGateway implements AlertGateway {
        static final long SLIGHTLY_SLOW_MS = 60;
        /** Well into a 1 s timeout, but with time to spare on a loaded machine. */
        static final long WELL_IN_TIME_MS = 400;
        private final Map<String, Call> calls = new ConcurrentHashMap<>();

        Call fast(String alertId) {
            return script(alertId, Mode.FAST);
        }

        /** Answers after a short delay, well within the caller's timeout. */
        Call slightlySlow(String alertId) {
            return script(alertId, Mode.SLIGHTLY_SLOW);
        }

        /**
         * Answers only once the test releases it, after the caller gave up. Like a blocking
         * socket read it does not stop when interrupted, but it keeps the interrupt status for
         * its caller, as well-behaved code does.
         */
        Call late(String alertId) {
            return script(alertId, Mode.LATE);
        }

        /** Never answers: it waits until it is interrupted, as a stuck HTTP call would. */
        Call hanging(String alertId) {
            return script(alertId, Mode.HANGING);
        }

        Call script(String alertId, Mode mode) {
            Call call = new Call(alertId, mode);
            calls.put(alertId, call);
            return call;
        }

        @Override
        public Receipt deliver(Alert alert) throws InterruptedException {
            Call call = calls.computeIfAbsent(alert.id(), id -> new Call(id, Mode.FAST));
            call.thread = Thread.currentThread();
            call.calls.incrementAndGet();
            call.entered.countDown();
            switch (call.mode) {
                case FAST -> { }
                case SLIGHTLY_SLOW -> Thread.sleep(SLIGHTLY_SLOW_MS);
                case WELL_IN_TIME -> Thread.sleep(WELL_IN_TIME_MS);
                case LATE -> awaitKeepingInterrupt(call);
                case HANGING -> {
                    try {
                        call.released.await(); // nobody releases it: only an interrupt ends this
                    } catch (InterruptedException e) {
                        call.interrupted.countDown();
                        throw e;
                    }
                }
            }
            return receiptFor(alert.id());
        }

        private static void awaitKeepingInterrupt(Call call) {
            boolean interrupted = false;
            while (true) {
                try {
                    call.released.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    call.interrupted.countDown();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
