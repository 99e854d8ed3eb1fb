package threadperrequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import dev.kata.probe.api.Reason;
import dev.kata.probe.api.Uninterruptible;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import threadperrequest.ReminderService.SmsGateway;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReminderServiceTest {

    private static final int PATIENTS = 10_000;
    /** Production latency of one gateway call, used to tell the learner what their design costs. */
    private static final int CALL_MS = 40;
    /** The nightly window, scaled to the story. */
    private static final int WINDOW_S = 2;
    /**
     * No new call reached the gateway for this long: every thread the job has is busy waiting.
     * 300 ms, stretched on a machine busier than its cores (a job starting 10,000 threads there
     * can pause that long between two calls without being stuck).
     */
    private static final long STALL_MS = Patience.millis(300, 3000);
    /** More platform threads than this waiting on the gateway at once: a platform thread per call. */
    private static final int PLATFORM_LIMIT = 300;


    private static List<String> patients(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            ids.add(String.format("P-%05d", i));
        }
        return ids;
    }

    /**
     * A gateway with network latency, made deterministic: a call is held until every reminder
     * of the job is waiting on the gateway at once, which is what happens when each reminder
     * has its own thread. A job that can only wait on a few calls at a time never gets there;
     * when no new call has arrived for {@link #STALL_MS}, the test gives up on it, lets every
     * call through at once (so the job still ends quickly) and reports how many calls were
     * ever in flight together.
     */
    static final class SlowNetworkGateway implements SmsGateway {
        final int expected;
        final AtomicInteger arrived = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final CountDownLatch answer = new CountDownLatch(1);
        volatile long lastArrival = System.nanoTime();
        volatile boolean gaveUp;
        final AtomicInteger platformInFlight = new AtomicInteger();
        /** Calls that have returned their confirmation id to the caller's code. */
        final AtomicInteger answered = new AtomicInteger();
        volatile boolean tooManyPlatformThreads;

        SlowNetworkGateway(int expected) {
            this.expected = expected;
        }

        @Override
        public String send(String patientId) throws InterruptedException {
            int now = inFlight.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            lastArrival = System.nanoTime();
            boolean platform = !Thread.currentThread().isVirtual();
            if (platform && platformInFlight.incrementAndGet() > PLATFORM_LIMIT) {
                // An OS thread per waiting call: stop here rather than let it reach 10,000.
                tooManyPlatformThreads = true;
                answer.countDown();
            }
            try {
                if (arrived.incrementAndGet() == expected) {
                    answer.countDown();
                }
                answer.await();
            } finally {
                inFlight.decrementAndGet();
                if (platform) {
                    platformInFlight.decrementAndGet();
                }
            }
            answered.incrementAndGet();
            return "SMS-" + patientId;
        }

        /** Runs in a thread of the test: gives up when the job stops bringing new calls. */
        void watch() {
            // Both a wall-clock gap and enough of our own ticks without a new call: on a
            // machine so busy that this thread itself hardly runs, the job is not blamed.
            int quietTicks = 0;
            int lastSeen = -1;
            try {
                while (!answer.await(10, TimeUnit.MILLISECONDS)) {
                    int seen = arrived.get();
                    quietTicks = seen == lastSeen ? quietTicks + 1 : 0;
                    lastSeen = seen;
                    if (quietTicks >= 15
                            && System.nanoTime() - lastArrival > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
                        gaveUp = true;
                        answer.countDown();
                    }
                }
            } catch (InterruptedException e) {
                answer.countDown();
            }
        }
    }

    @Test
    @Order(1)
    @DisplayName("10,000 reminders wait on the SMS gateway together, not eight at a time")
    void tenThousandRemindersWaitTogether() throws Exception {
        List<String> ids = patients(PATIENTS);
        SlowNetworkGateway gateway = new SlowNetworkGateway(PATIENTS);
        ReminderService service = new ReminderService(gateway);

        gateway.lastArrival = System.nanoTime();
        Thread watcher = Thread.ofPlatform().name("test-gateway-clock").start(gateway::watch);
        Map<String, String> confirmations;
        try {
            confirmations = service.remindAll(ids);
        } finally {
            gateway.answer.countDown();
            watcher.join();
        }
        int atReturn = confirmations.size();
        int answeredAtReturn = gateway.answered.get();

        if (gateway.tooManyPlatformThreads) {
            throw Pitfalls.of(Reason.TOO_MANY_THREADS, "More than " + PLATFORM_LIMIT + " platform threads were"
                    + " waiting on the SMS gateway at once, and the job was still starting more: one OS thread per"
                    + " reminder. Each one reserves its own stack (about 1 MB) and a kernel thread, so 10,000 of"
                    + " them exhaust memory or the process's thread limit long before the gateway is the"
                    + " bottleneck (the tutor stops code with more than 500). A thread per blocking call is right;"
                    + " it has to be a virtual thread, which costs a few hundred bytes while it waits.");
        }
        if (gateway.gaveUp) {
            int peak = Math.max(1, gateway.peak.get());
            long seconds = Math.round((double) PATIENTS * CALL_MS / peak / 1000.0);
            throw Pitfalls.timeout("At most " + peak + " of the " + String.format("%,d", PATIENTS)
                    + " reminders were ever waiting on the SMS gateway at the same time; then no new call reached"
                    + " the gateway for " + STALL_MS + " ms: every thread the job had was parked waiting for an"
                    + " answer, and the other " + String.format("%,d", PATIENTS - peak) + " reminders were queued"
                    + " behind them. Each call spends ~" + CALL_MS + " ms waiting on the network, so " + peak
                    + " at a time take about " + seconds + " s for the night's reminders; the job has "
                    + WINDOW_S + " s. A blocking call keeps its thread for as long as it waits: give every"
                    + " reminder a thread of its own. Platform threads are too heavy for 10,000 (the tutor stops"
                    + " code with more than 500); virtual threads are made for this.");
        }
        if (answeredAtReturn < PATIENTS) {
            throw Pitfalls.lostWork("remindAll returned when " + String.format("%,d", answeredAtReturn) + " of "
                    + String.format("%,d", PATIENTS) + " gateway calls had answered: it did not wait for the"
                    + " reminders it started, so the job reports the night as done while messages are still on"
                    + " their way.");
        }
        List<String> wrong = new ArrayList<>();
        for (String id : ids) {
            if (!("SMS-" + id).equals(confirmations.get(id))) {
                wrong.add(id + "=" + confirmations.get(id));
            }
        }
        if (!wrong.isEmpty() || atReturn != PATIENTS) {
            throw Pitfalls.lostWork("Every one of the " + String.format("%,d", PATIENTS) + " gateway calls had"
                    + " answered when remindAll returned, but the map it returned holds " + atReturn + " entries"
                    + " and " + wrong.size() + " patients lack their own confirmation id (e.g. "
                    + wrong.subList(0, Math.min(5, wrong.size())) + "). The answers were there and were lost on"
                    + " the way into the map: a map that many threads write at once must be made for it"
                    + " (ConcurrentHashMap), or be filled by one thread once the others are done.");
        }
    }

    @Test
    @Order(2)
    @DisplayName("remindAll returns every confirmation, and only once every reminder is sent")
    void returnsOnlyWhenEveryReminderIsConfirmed() throws Exception {
        List<String> ids = patients(20);
        CountDownLatch firstCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger answered = new AtomicInteger();
        SmsGateway gateway = patientId -> {
            firstCall.countDown();
            if (!release.await(2, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the gateway answer");
            }
            answered.incrementAndGet();
            return "SMS-" + patientId;
        };
        ReminderService service = new ReminderService(gateway);

        Job job = new Job(service, ids);
        boolean started = firstCall.await(1, TimeUnit.SECONDS);
        job.thread.join(50); // a job that does not wait for its reminders returns right away
        boolean returnedEarly = started && !job.thread.isAlive();
        int answeredBeforeRelease = answered.get();
        release.countDown();
        job.thread.join(2000);

        if (!started) {
            fail("remindAll never called the SMS gateway within 1 s");
        }
        if (returnedEarly) {
            throw Pitfalls.lostWork("remindAll returned while the SMS gateway was still holding the reminders ("
                    + answeredBeforeRelease + " of 20 answered): the job must wait for every reminder it started,"
                    + " or it reports the night as done with messages still unsent, and any that fail go unnoticed.");
        }
        if (job.thread.isAlive()) {
            fail("remindAll had not returned 2 s after the gateway answered every reminder");
        }
        if (job.failed.get() != null) {
            fail("remindAll threw " + job.failed.get(), job.failed.get());
        }
        Map<String, String> got = job.atReturn.get();
        Map<String, String> expected = new LinkedHashMap<>();
        for (String id : ids) {
            expected.put(id, "SMS-" + id);
        }
        if (got.size() != ids.size()) {
            throw Pitfalls.lostWork("remindAll returned " + got.size() + " confirmations for 20 patients");
        }
        assertEquals(expected, got, "each patient's confirmation id");
    }

    @Test
    @Order(3)
    @DisplayName("one slow reminder among quick ones: remindAll waits for it too")
    void waitsForASlowReminderAmongQuickOnes() throws Exception {
        List<String> ids = patients(20);
        String slow = ids.get(6);
        CountDownLatch slowCalled = new CountDownLatch(1);
        CountDownLatch slowAnswered = new CountDownLatch(1);
        SmsGateway gateway = patientId -> {
            if (patientId.equals(slow)) {
                slowCalled.countDown();
                Thread.sleep(SLOW_ANSWER_MS); // a gateway that answers late, not one that never answers
                slowAnswered.countDown();
            }
            return "SMS-" + patientId;
        };
        ReminderService service = new ReminderService(gateway);
        Job job = new Job(service, ids);
        job.thread.join(SLOW_ANSWER_MS + 2000);
        if (job.thread.isAlive()) {
            fail("remindAll had not returned 2 s after the slow reminder was answered");
        }
        if (job.failed.get() != null) {
            fail("remindAll threw " + job.failed.get(), job.failed.get());
        }
        if (slowCalled.getCount() > 0) {
            throw Pitfalls.lostWork("remindAll returned without ever sending the reminder of " + slow);
        }
        Map<String, String> got = job.atReturn.get();
        if (slowAnswered.getCount() > 0 || !("SMS-" + slow).equals(got.get(slow))) {
            throw Pitfalls.lostWork("The SMS gateway took " + SLOW_ANSWER_MS + " ms to confirm the reminder of " + slow
                    + " (the 19 others were confirmed at once), and remindAll returned "
                    + (slowAnswered.getCount() > 0 ? "before that confirmation came" : "without it")
                    + ": its map holds " + got.get(slow) + " for " + slow + ", and the night is reported as done"
                    + " with a reminder still unconfirmed. Wait for every reminder, however long the gateway takes"
                    + " (a wait that gives up after a while, or one that counts only the reminders already"
                    + " running, returns early).");
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (String id : ids) {
            expected.put(id, "SMS-" + id);
        }
        assertEquals(expected, got, "each patient's confirmation id");
    }

    @Test
    @Order(4)
    @DisplayName("the gateway fails one reminder: remindAll throws, and neither hangs nor reports the night as done")
    void aFailedReminderMakesRemindAllThrow() throws Exception {
        failedReminder(false);
        failedReminder(true);
    }

    /** One reminder of 60 fails: the gateway call throws an exception or, if {@code error}, an Error. */
    private static void failedReminder(boolean error) throws Exception {
        List<String> ids = patients(60);
        String rejected = ids.get(22);
        String last = ids.get(ids.size() - 1);
        RuntimeException exception = new IllegalStateException("gateway rejected the phone number of " + rejected);
        Error crash = new java.util.ServiceConfigurationError("gateway client: no SMS encoder for " + rejected);
        Throwable rejection = error ? crash : exception;
        AtomicInteger inGateway = new AtomicInteger();
        SmsGateway gateway = patientId -> {
            inGateway.incrementAndGet();
            try {
                if (patientId.equals(rejected)) {
                    Thread.sleep(5); // the failure comes while the others still wait
                    if (error) {
                        throw crash;
                    }
                    throw exception;
                }
                // like a plain socket read, the others' calls do not end when interrupted; the last
                // patient's answer comes last, so that it is still on its way whatever order the
                // confirmations are collected in, one by one or as they come
                sleepThroughInterrupts(patientId.equals(last) ? LAST_ANSWER_MS : OTHERS_ANSWER_MS);
                return "SMS-" + patientId;
            } finally {
                inGateway.decrementAndGet();
            }
        };
        ReminderService service = new ReminderService(gateway);
        Job job = new Job(service, ids, inGateway::get);
        long waitedMs = Patience.millis(2000, 4000);
        job.thread.join(waitedMs);
        if (job.thread.isAlive()) {
            job.thread.interrupt();
            job.thread.join(500);
            throw Pitfalls.deadlock("The SMS gateway failed the reminder of " + rejected + " (it threw " + rejection
                    + ") and confirmed the 59 others within " + LAST_ANSWER_MS + " ms, but remindAll had neither"
                    + " returned nor thrown "
                    + waitedMs + " ms later: it was still waiting, and the failed reminder will never be confirmed."
                    + " A reminder that fails must end the wait as surely as one that succeeds.");
        }
        if (job.failed.get() == null) {
            Map<String, String> got = job.atReturn.get();
            throw Pitfalls.lostWork("The SMS gateway failed the reminder of " + rejected + " (it threw " + rejection
                    + "), yet remindAll returned normally, with " + got.size() + " confirmations"
                    + (got.containsKey(rejected) ? " (" + got.get(rejected) + " for " + rejected + ")" : ", none for "
                    + rejected) + ": the job reports the night as done with a patient never reminded. When a"
                    + " reminder fails, remindAll must throw.");
        }
        if (job.busyAtEnd > 0) {
            throw Pitfalls.leak("The SMS gateway failed the reminder of " + rejected + ", and remindAll threw while "
                    + job.busyAtEnd + " other reminders were still inside their gateway call, which (like a plain"
                    + " socket read) does not end when interrupted: their threads run on after remindAll has given"
                    + " up on them. Before remindAll throws, wait for the reminders it started to end (stopping them"
                    + " first is fine). It threw " + job.failed.get() + ".");
        }
    }

    @Test
    @Order(5)
    @DisplayName("a night with no patient to remind: remindAll returns an empty map")
    void anEmptyBatchGivesAnEmptyMap() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ReminderService service = new ReminderService(patientId -> "SMS-" + patientId + "-" + calls.incrementAndGet());
        Job job = new Job(service, List.of());
        job.thread.join(Patience.millis(2000, 4000));
        if (job.thread.isAlive()) {
            job.thread.interrupt();
            throw Pitfalls.deadlock("remindAll of an empty list of patients had not returned after 2 s.");
        }
        if (job.failed.get() != null) {
            fail("remindAll of an empty list of patients (nobody enrolled yet, or everyone opted out) threw "
                    + job.failed.get() + "; it must return an empty map.", job.failed.get());
        }
        assertEquals(Map.of(), job.atReturn.get(), "remindAll of an empty list of patients");
        assertEquals(0, calls.get(), "gateway calls for an empty list of patients");
    }

    /** The virtual-thread scheduler's carriers (kata.toml sets the parallelism). */
    private static final int CARRIERS = Integer.getInteger("jdk.virtualThreadScheduler.parallelism", 8);

    @Test
    @Order(6)
    @DisplayName("reminders whose threads have not run yet when remindAll is done starting them are waited for too")
    void remindersNotYetRunningAreWaitedFor() throws Exception {
        for (int patients : new int[] {1, 3}) {
            // Every carrier of the virtual-thread scheduler busy: a reminder started on a virtual thread
            // cannot run until they are let go, as on a server busy with other requests.
            AtomicBoolean busy = new AtomicBoolean(true);
            CountDownLatch allBusy = new CountDownLatch(CARRIERS);
            List<Thread> spinners = new ArrayList<>();
            for (int i = 0; i < CARRIERS; i++) {
                spinners.add(Thread.ofVirtual().name("other-request-" + (i + 1)).start(() -> {
                    allBusy.countDown();
                    while (busy.get()) {
                        Thread.onSpinWait();
                    }
                }));
            }
            Job job;
            boolean returnedEarly;
            try {
                if (!allBusy.await(2, TimeUnit.SECONDS)) {
                    continue; // the carriers never all got busy: nothing to learn from this round
                }
                job = new Job(new ReminderService(patientId -> "SMS-" + patientId), patients(patients));
                job.thread.join(Patience.millis(100, 400));
                returnedEarly = !job.thread.isAlive();
            } finally {
                busy.set(false);
            }
            for (Thread spinner : spinners) {
                spinner.join(2000);
            }
            job.thread.join(2000);
            if (returnedEarly) {
                Map<String, String> got = job.atReturn.get();
                throw Pitfalls.lostWork("remindAll(" + patients + " patient" + (patients == 1 ? "" : "s") + ") "
                        + (job.failed.get() != null ? "threw " + job.failed.get() : "returned " + got) + " while no"
                        + " reminder's thread had run yet (every carrier of the virtual-thread scheduler was busy with"
                        + " other requests): it did not wait for reminders that had not started their work. Count a"
                        + " reminder in before its thread starts (Go's wg.Add before the go statement), or wait for"
                        + " each thread or task itself.");
            }
            if (job.thread.isAlive()) {
                fail("remindAll(" + patients + " patients) had not returned 2 s after the scheduler's carriers were free");
            }
            if (job.failed.get() != null) {
                fail("remindAll(" + patients + " patients) threw " + job.failed.get(), job.failed.get());
            }
            assertEquals(patients, job.atReturn.get().size(), "confirmations of remindAll(" + patients + " patients)");
        }
    }

    @Test
    @Order(7)
    @DisplayName("a reminder fails before the others' threads have run: remindAll throws only once they have ended")
    void aFailureBeforeTheOthersRunWaitsForThemToo() throws Exception {
        int patients = 10_000;
        // Every carrier of the virtual-thread scheduler busy with other requests while remindAll starts
        // its reminders; then one is let go. The first reminder it runs fails, and wakes another request
        // as it does: that request takes the carrier the moment the failed reminder's thread ends (the
        // scheduler runs a thread woken on a carrier there next), and holds it. So no other reminder runs
        // while remindAll learns of the failure, however busy the machine: a remindAll that throws now
        // has not waited for them, and they call the gateway after it has thrown.
        AtomicBoolean busy = new AtomicBoolean(true);
        AtomicBoolean lastBusy = new AtomicBoolean(true);
        AtomicBoolean woken = new AtomicBoolean();
        AtomicBoolean holding = new AtomicBoolean(true);
        CountDownLatch allBusy = new CountDownLatch(CARRIERS);
        Thread standIn = Thread.ofVirtual().name("other-request-" + (CARRIERS + 1)).start(() -> {
            while (!woken.get()) {
                LockSupport.park();
            }
            while (holding.get()) {
                Thread.onSpinWait();
            }
        });
        long parked = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(2000, 8000));
        while (standIn.getState() != Thread.State.WAITING && System.nanoTime() < parked) {
            Thread.sleep(1);
        }
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < CARRIERS; i++) {
            AtomicBoolean mine = i == 0 ? lastBusy : busy;
            spinners.add(Thread.ofVirtual().name("other-request-" + (i + 1)).start(() -> {
                allBusy.countDown();
                while (mine.get()) {
                    Thread.onSpinWait();
                }
            }));
        }
        AtomicReference<Job> running = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger callsAfterEnd = new AtomicInteger();
        AtomicReference<String> rejected = new AtomicReference<>();
        SmsGateway gateway = patientId -> {
            Job job = running.get();
            if (job != null && (job.failed.get() != null || job.atReturn.get() != null)) {
                callsAfterEnd.incrementAndGet();
            }
            if (calls.getAndIncrement() == 0) {
                rejected.set(patientId);
                woken.set(true);
                LockSupport.unpark(standIn);
                throw new IllegalStateException("gateway rejected the phone number of " + patientId);
            }
            return "SMS-" + patientId;
        };
        Job job;
        try {
            if (!allBusy.await(Patience.millis(2000, 8000), TimeUnit.MILLISECONDS)) {
                return; // the carriers never got busy: nothing to learn here
            }
            job = new Job(new ReminderService(gateway), patients(patients));
            running.set(job);
            // remindAll is done starting its reminders once its thread waits (for them, or for news of them)
            long started = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(2000, 6000));
            while (job.thread.getState() == Thread.State.RUNNABLE && System.nanoTime() < started) {
                Thread.sleep(1);
            }
            lastBusy.set(false);
            // While the stand-in holds the carrier, a remindAll that does not wait for the reminders still
            // to run throws; one that waits for them keeps waiting.
            long held = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(300, 2000));
            while (job.thread.isAlive() && System.nanoTime() < held) {
                Thread.sleep(1);
            }
        } finally {
            woken.set(true);
            LockSupport.unpark(standIn);
            holding.set(false);
            lastBusy.set(false);
            busy.set(false);
        }
        for (Thread spinner : spinners) {
            spinner.join(2000);
        }
        standIn.join(2000);
        job.thread.join(Patience.millis(3000, 8000));
        if (job.thread.isAlive()) {
            job.thread.interrupt();
            throw Pitfalls.deadlock("The SMS gateway failed the reminder of " + rejected.get() + ", the first to reach"
                    + " it, and confirmed the others at once, but remindAll had neither returned nor thrown seconds"
                    + " later.");
        }
        long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Patience.millis(300, 2000));
        while (calls.get() < patients && System.nanoTime() < settle) {
            Thread.sleep(5); // the reminders remindAll did not wait for, if any, reach the gateway now
        }
        if (job.failed.get() == null) {
            throw Pitfalls.lostWork("The SMS gateway failed the reminder of " + rejected.get() + ", yet remindAll"
                    + " returned normally, with " + job.atReturn.get().size() + " confirmations. When a reminder"
                    + " fails, remindAll must throw.");
        }
        if (callsAfterEnd.get() > 0) {
            throw Pitfalls.leak("The SMS gateway failed the reminder of " + rejected.get() + ", the first to reach it,"
                    + " while the other reminders' threads had not run yet (every carrier of the virtual-thread"
                    + " scheduler was busy with other requests). remindAll threw " + job.failed.get()
                    + ", and then " + callsAfterEnd.get() + " reminder" + (callsAfterEnd.get() == 1 ? "" : "s")
                    + " called the gateway: their threads ran after remindAll had given up on them. Before it throws,"
                    + " remindAll must wait for every reminder it started to end, counting a reminder in before its"
                    + " thread runs (or waiting for each thread or task itself), not only the ones inside a gateway"
                    + " call.");
        }
    }

    @Test
    @Order(8)
    @DisplayName("the gateway fails a reminder with an InterruptedException: remindAll throws too")
    void aGatewayInterruptedExceptionIsAFailureToo() throws Exception {
        List<String> ids = patients(20);
        String rejected = ids.get(6);
        // Nobody interrupted the call: the gateway client itself gave up (its connection pool was shut
        // down), and says so with the checked exception its interface declares.
        InterruptedException rejection = new InterruptedException("SMS gateway client shut down while sending to "
                + rejected);
        SmsGateway gateway = patientId -> {
            if (patientId.equals(rejected)) {
                throw rejection;
            }
            return "SMS-" + patientId;
        };
        Job job = new Job(new ReminderService(gateway), ids);
        job.thread.join(Patience.millis(2000, 4000));
        if (job.thread.isAlive()) {
            job.thread.interrupt();
            throw Pitfalls.deadlock("The SMS gateway failed the reminder of " + rejected + " (it threw " + rejection
                    + ", although nothing had interrupted the call) and confirmed the 19 others at once, but"
                    + " remindAll had neither returned nor thrown 2 s later.");
        }
        if (job.failed.get() == null) {
            Map<String, String> got = job.atReturn.get();
            throw Pitfalls.lostWork("The SMS gateway failed the reminder of " + rejected + " (it threw " + rejection
                    + ", although nothing had interrupted the call), yet remindAll returned normally, with "
                    + got.size() + " confirmations" + (got.containsKey(rejected) ? " (" + got.get(rejected) + " for "
                    + rejected + ")" : ", none for " + rejected) + ": the job reports the night as done with a patient"
                    + " never reminded. An InterruptedException from the gateway is a failed reminder like any other"
                    + " exception, unless your own code interrupted that call because another reminder had already"
                    + " failed.");
        }
    }

    /** How long after the failure of aFailureAmongRemindersThatStopWhenInterruptedThrowsPromptly the others answer. */
    private static final long ANSWER_AFTER_FAILURE_MS = 200;
    /**
     * CPU time the test JVM may spend after that failure before remindAll is done: unwinding 10,000
     * parked reminders takes at most a few hundred ms of it, busy machine or not; stopping all of them
     * again for each stopped reminder (up to 100 million interrupts) takes seconds of it, on any
     * number of cores.
     */
    private static final long UNWIND_CPU_MS = 1200;

    @Test
    @Order(9)
    @Timeout(value = 10, unit = TimeUnit.SECONDS) // 10,000 arrivals and the wait after the failure stretch with load
    @DisplayName("one failure among 10,000 reminders whose calls end when interrupted: remindAll throws soon after")
    void aFailureAmongRemindersThatStopWhenInterruptedThrowsPromptly() throws Exception {
        // The last reminder to reach the gateway fails while the 9,999 others wait on it. Their calls end
        // as soon as they are interrupted, throwing InterruptedException (as an HTTP client's send does),
        // and otherwise answer 200 ms after the failure. Whether remindAll stops them or lets them answer,
        // every one has ended soon after the failure, and remindAll can throw.
        List<String> ids = patients(PATIENTS);
        int others = PATIENTS - 1;
        AtomicInteger arrived = new AtomicInteger();
        AtomicInteger inGateway = new AtomicInteger();
        AtomicInteger stopped = new AtomicInteger();
        CountDownLatch failure = new CountDownLatch(1);
        AtomicBoolean answered = new AtomicBoolean();
        java.util.Queue<Thread> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicReference<String> rejected = new AtomicReference<>();
        SmsGateway gateway = patientId -> {
            inGateway.incrementAndGet();
            try {
                if (arrived.incrementAndGet() == PATIENTS) {
                    rejected.set(patientId);
                    failure.countDown();
                    throw new IllegalStateException("gateway rejected the phone number of " + patientId);
                }
                // Each call parks on its own (10,000 waiters interrupted in one queue, a latch's, would
                // make the test itself slow to unwind them). An interrupted call gives up, answer or not.
                waiting.add(Thread.currentThread());
                while (true) {
                    if (Thread.interrupted()) {
                        stopped.incrementAndGet();
                        throw new InterruptedException("SMS to " + patientId + " cancelled");
                    }
                    if (answered.get()) {
                        return "SMS-" + patientId;
                    }
                    LockSupport.park(answered);
                }
            } finally {
                inGateway.decrementAndGet();
            }
        };
        Runnable answer = () -> {
            answered.set(true);
            for (Thread t : waiting) {
                LockSupport.unpark(t);
            }
        };
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Job job = new Job(new ReminderService(gateway), ids);
        long failedAt;
        long cpuAtFailure;
        try {
            // Given up on only when no new call has reached the gateway for STALL_MS (and as many of our own
            // ticks): a job busy starting its 10,000 reminders on a loaded machine is not blamed.
            int quietTicks = 0;
            int lastSeen = -1;
            long lastProgress = System.nanoTime();
            while (!failure.await(10, TimeUnit.MILLISECONDS)) {
                int seen = arrived.get();
                if (seen != lastSeen) {
                    lastSeen = seen;
                    quietTicks = 0;
                    lastProgress = System.nanoTime();
                } else if (++quietTicks >= 15
                        && System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
                    answer.run();
                    job.thread.join(Patience.millis(2000, 4000));
                    throw Pitfalls.timeout("Only " + seen + " of the " + String.format("%,d", PATIENTS)
                            + " reminders had reached the SMS gateway, where each waits for an answer, and no new"
                            + " one came for " + STALL_MS + " ms: they must all wait on it together.");
                }
            }
            failedAt = System.nanoTime();
            cpuAtFailure = os.getProcessCpuTime();
            // The gateway answers the calls still waiting 200 ms after the failure, or as soon as every one
            // has been stopped (then there is nothing left to answer).
            long answerAt = failedAt + TimeUnit.MILLISECONDS.toNanos(ANSWER_AFTER_FAILURE_MS);
            while (stopped.get() < others && System.nanoTime() < answerAt) {
                Thread.sleep(2);
            }
        } finally {
            answer.run();
        }
        // Done when remindAll ends; given up on once the JVM has spent UNWIND_CPU_MS of CPU since the failure
        // (the unwinding has no more to do than that), or after a wait that stretches with the load.
        long wallLimitNanos = TimeUnit.MILLISECONDS.toNanos(Patience.millis(2000, 5000));
        long cpuMs = 0;
        while (job.thread.isAlive() && System.nanoTime() - failedAt < wallLimitNanos) {
            job.thread.join(10);
            cpuMs = cpuAtFailure < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(os.getProcessCpuTime() - cpuAtFailure);
            if (cpuMs > UNWIND_CPU_MS) {
                break;
            }
        }
        if (job.thread.isAlive()) {
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt);
            int stillIn = inGateway.get();
            int stoppedThen = stopped.get();
            job.thread.interrupt();
            throw Pitfalls.timeout("The SMS gateway failed the reminder of " + rejected.get() + " once all "
                    + String.format("%,d", PATIENTS) + " were waiting on it. The other calls end at once when"
                    + " interrupted, throwing InterruptedException (" + String.format("%,d", stoppedThen) + " did),"
                    + " and were answered " + ANSWER_AFTER_FAILURE_MS + " ms after the failure otherwise; "
                    + (stillIn == 0 ? "none was" : String.format("%,d", stillIn) + " were") + " still inside the"
                    + " gateway " + waitedMs + " ms after the failure, and the JVM had spent " + cpuMs + " ms of CPU"
                    + " since, yet remindAll had neither thrown nor returned. Each reminder needs stopping once: one"
                    + " that ends because it was stopped has not failed, and if each such one stopped all the"
                    + " others again, 10,000 of them would make 100 million interrupts.");
        }
        if (job.failed.get() == null) {
            throw Pitfalls.lostWork("The SMS gateway failed the reminder of " + rejected.get() + ", yet remindAll"
                    + " returned normally, with " + job.atReturn.get().size() + " confirmations. When a reminder"
                    + " fails, remindAll must throw.");
        }
    }

    /** How long the gateway keeps the good reminders of aFailedReminderMakesRemindAllThrow, interrupted or not. */
    private static final long OTHERS_ANSWER_MS = 100;
    /** How long it keeps the last patient's. */
    private static final long LAST_ANSWER_MS = 500;

    private static void sleepThroughInterrupts(long millis) {
        if (Uninterruptible.sleep(millis)) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long the gateway takes to confirm the slow reminder of waitsForASlowReminderAmongQuickOnes. */
    private static final long SLOW_ANSWER_MS = 400;

    /** remindAll on a thread of its own, as the nightly scheduler calls it: what it returned (copied at once) or threw. */
    private static final class Job {
        final AtomicReference<Map<String, String>> atReturn = new AtomicReference<>();
        final AtomicReference<Throwable> failed = new AtomicReference<>();
        final Thread thread;
        /** Gateway calls still running when remindAll returned or threw. */
        volatile int busyAtEnd;

        Job(ReminderService service, List<String> ids) {
            this(service, ids, () -> 0);
        }

        Job(ReminderService service, List<String> ids, java.util.function.IntSupplier busy) {
            thread = Thread.ofPlatform().name("reminder-job").start(() -> {
                try {
                    atReturn.set(new LinkedHashMap<>(service.remindAll(ids)));
                } catch (Throwable e) {
                    failed.set(e);
                } finally {
                    busyAtEnd = busy.getAsInt();
                }
            });
        }
    }
}
