package gracefulshutdown;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import gracefulshutdown.SubmissionServer.SubmissionStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the graceful-shutdown kata. The test plays both the patients' phones (a plain
 * HTTP/1.1 client on a socket, loopback only) and the deploy platform (it calls stop(grace) on a
 * thread of its own). The store double holds chosen patients' saves until the test lets them go,
 * or until they are interrupted, so that requests are reliably in flight when stop() is called.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SubmissionServerTest {

    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    /**
     * The grace period of the deploy in the first test: more than one second, so that a stop()
     * that keeps back part of the grace (a second "for the workers", say) gives up too early.
     */
    private static final Duration GRACE = Duration.ofSeconds(2);
    /** How long the requests may take to reach the store. */
    private static final long ARRIVE_WAIT_MS = 2000;
    /** How long the test watches stop() for it to close the door and start waiting. */
    private static final long STOP_WATCH_MS = 900;
    /**
     * How long after stop() was called P-7's save ends (once stop() has closed the door and is
     * waiting): well within the grace, which leaves the reply most of it even on a busy machine.
     */
    private static final long SAVE_AFTER_STOP_MS = 200;
    /**
     * The same for the grace of a minute: past the first second, so that a stop() that gives the
     * HTTP server a second of its own (stop(1), say) and the rest to the workers shows itself.
     */
    private static final long LONG_SAVE_AFTER_STOP_MS = 1500;
    /** How long, once P-7's save is let go, its reply may take. */
    private static final long REPLY_WAIT_MS = 2000;

    /** {@link #REPLY_WAIT_MS}, stretched on a busy machine: a first request to a fresh server loads a good deal of the JDK. */
    private static long replyWait() {
        return Patience.millis(REPLY_WAIT_MS, 8000);
    }
    /**
     * How late, after the grace, stop() may give up on a save and return. It grows with the load,
     * but stays under a second: a stop() that waits out a second full grace is late on every run.
     */
    private static final long LATE_MS = Patience.millis(400, 900);

    @Test
    @Order(2)
    @org.junit.jupiter.api.Timeout(value = 10, unit = TimeUnit.SECONDS)
    void stopLetsTheRequestsInFlightFinishWithinTheGrace() throws Exception {
        ScriptedStore store = new ScriptedStore();
        Save p7 = store.hold("P-7");
        Save p9 = store.hold("P-9"); // P-9's first post: its save never ends on its own
        Save p9again = store.hold("P-9"); // the same answers sent again while that save runs: a quick one
        SubmissionServer server = new SubmissionServer(store);
        int port = server.start(LOOPBACK_ANY_PORT);

        String p9answers = "{\"pain\":6,\"nausea\":0,\"sleep\":\"good\"}";
        Phone quick = Phone.post(port, "P-7", "{\"pain\":3,\"nausea\":1,\"sleep\":\"poor\"}");
        Phone stuck = Phone.post(port, "P-9", p9answers);
        Phone resent = null;
        Deploy deploy = null;
        try {
            boolean arrived = p7.entered.await(ARRIVE_WAIT_MS, TimeUnit.MILLISECONDS)
                    && p9.entered.await(ARRIVE_WAIT_MS, TimeUnit.MILLISECONDS);
            if (arrived) {
                // P-9's phone got no answer yet and sends the answers again: two posts of one patient in flight
                resent = Phone.post(port, "P-9", p9answers);
                arrived = p9again.entered.await(ARRIVE_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            if (!arrived) {
                store.letGoAll();
                server.stop(Duration.ofSeconds(1));
                fail("The questionnaires of P-7 and P-9 (P-9's twice) did not all reach the store within "
                        + ARRIVE_WAIT_MS + " ms; P-7's phone got: " + quick.outcome(0) + ", P-9's: " + stuck.outcome(0)
                        + (resent == null ? "" : " and " + resent.outcome(0)));
            }
            deploy = Deploy.start(server, GRACE);
            // P-9's first save goes on until something interrupts it; its second ends with P-7's.
            letTheSaveGoOnAfterStop(deploy, quick, p7, port, SAVE_AFTER_STOP_MS);
            p9again.letGo();
            checkQuickSave("patient P-7's questionnaire", p7, quick.outcome(replyWait()), deploy);
            checkQuickSave("patient P-9's second post (its phone sent the answers again while the first was still"
                    + " being saved)", p9again, resent.outcome(replyWait()), deploy);
            checkGivenUpAtTheGrace(p9, deploy);
            checkGivenUpForGood(store, p9, deploy);
        } finally {
            store.letGoAll(); // a save nothing interrupted ends now, so that no worker waits forever
        }
        deploy.rethrow();
        if (store.calls("P-7") != 1) {
            fail("P-7's questionnaire was saved " + store.calls("P-7") + " times; expected once");
        }
    }

    /** A save that ended well within the grace: it must be stored, confirmed, and waited for. */
    private static void checkQuickSave(String what, Save p7, String reply, Deploy deploy) {
        boolean interrupted = p7.interrupted.getCount() == 0;
        boolean confirmed = reply.startsWith("201");
        long returned = deploy.returnedAt.get();
        boolean returnedEarly = returned != 0 && (p7.finishedAt.get() == 0 || returned < p7.finishedAt.get());
        if (!interrupted && confirmed && !returnedEarly) {
            return;
        }
        List<String> seen = new ArrayList<>();
        if (returnedEarly) {
            seen.add("stop() returned while the questionnaire was still being saved, so the platform would "
                    + "have ended the process right there");
        }
        if (interrupted) {
            seen.add("the save itself was interrupted " + p7.interruptedAfterStop(deploy) + ", so the answers "
                    + "were never stored");
        } else if (p7.finishedAt.get() != 0) {
            seen.add("the save did finish");
        }
        if (!confirmed) {
            seen.add("the phone got " + reply + " instead of 201 Created"
                    + (reply.startsWith("no response") ? ": its connection was closed under the running request"
                            : ""));
        }
        throw Pitfalls.lostWork("During a deploy, stop(" + seconds(GRACE) + ") was called while " + what
                + " was being saved, a save that would end " + SAVE_AFTER_STOP_MS + " ms after "
                + "the call, well within the grace; stop() did not let that request finish: " + String.join("; ", seen) + ". "
                + "The app either lost the answers or will send them again, and the study team sees a gap or "
                + "a duplicate. A graceful stop closes the door to new requests first, then waits for the "
                + "ones in flight to send their responses, up to the grace, and only then lets the workers "
                + "go: Go's http.Server.Shutdown(ctx); in Java, HttpServer.stop(delay) with the grace as the "
                + "delay, before the executor is shut down.");
    }

    /** P-9's save never ends on its own: stop() must give up on it when the grace is over, not before. */
    private static void checkGivenUpAtTheGrace(Save p9, Deploy deploy) throws InterruptedException {
        long graceMs = GRACE.toMillis();
        long limitNanos = deploy.calledAt + TimeUnit.MILLISECONDS.toNanos(graceMs + LATE_MS);
        // Wait until the grace and the allowed lateness have passed, or both events are in.
        while (System.nanoTime() < limitNanos && (p9.interrupted.getCount() > 0 || deploy.done.getCount() > 0)) {
            Thread.sleep(5);
        }
        long interruptedAt = p9.interruptedAt.get();
        if (interruptedAt != 0 && interruptedAt - deploy.calledAt < TimeUnit.MILLISECONDS.toNanos(graceMs - 100)) {
            throw Pitfalls.lostWork("stop(" + seconds(GRACE) + ") interrupted patient P-9's save " + p9.interruptedAfterStop(deploy)
                    + ", before its grace was over: a save that would have ended within the grace is cut "
                    + "off. Give up on the requests in flight only once the whole grace has passed.");
        }
        if (interruptedAt != 0 && deploy.done.getCount() == 0) {
            return;
        }
        boolean returned = deploy.done.getCount() == 0;
        String waited = "stop(" + seconds(GRACE) + ") was called " + ms(System.nanoTime() - deploy.calledAt) + " ago";
        if (interruptedAt == 0 && returned) {
            throw Pitfalls.leak(waited + " and has returned, but patient P-9's save, which was still running when "
                    + "the grace was over, is still running: no one interrupted it (P-9's phone had sent the same "
                    + "answers again while that save ran, and the second post ended within the grace). The "
                    + "platform ends the process now, in the middle of that write, and the worker running it "
                    + "outlives the server. Once the grace is over, interrupt what is left "
                    + "(ExecutorService.shutdownNow(), as Go's srv.Close() after Shutdown's deadline); if you "
                    + "keep track of the requests in flight yourself, one patient may have two of them.");
        }
        throw Pitfalls.timeout(waited + ", and " + (interruptedAt == 0
                        ? "patient P-9's save, which never ends on its own, has not been interrupted"
                        : "it interrupted patient P-9's save " + p9.interruptedAfterStop(deploy)
                                + ", but has not returned")
                + "; stop() is " + where(deploy.thread) + ". The platform waits for stop() only as long as the grace: "
                + "past it, it kills the process. So every wait in stop() must end by the grace's one deadline, "
                + "and what is still running then is interrupted.");
    }

    /**
     * P-9's save was interrupted at the grace and stop() has returned: the save is given up, so the
     * worker that ran it ends (the phone sends the answers again), and nothing saves them once more.
     */
    private static void checkGivenUpForGood(ScriptedStore store, Save p9, Deploy deploy) throws InterruptedException {
        Thread worker = p9.thread;
        long waitMs = Patience.millis(1000, 5000);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (System.nanoTime() < deadline && worker.isAlive() && store.calls("P-9") <= 2) {
            Thread.sleep(5);
        }
        int calls = store.calls("P-9");
        if (calls <= 2 && !worker.isAlive()) {
            return;
        }
        String interrupted = "stop(" + seconds(GRACE) + ") interrupted patient P-9's save " + p9.interruptedAfterStop(deploy)
                + " and returned";
        if (calls > 2) {
            Save again = store.extra();
            throw Pitfalls.leak(interrupted + ", but then store.save was called again for P-9 (" + calls + " calls for"
                    + " P-9's 2 posts)" + (again != null && again.thread == worker ? ", by the worker the interrupt had"
                            + " reached" : "") + ", and that save, which never ends on its own either, is now running"
                    + " past the grace: its worker outlives the server, and the platform ends the process in the middle"
                    + " of the write. A save still running when the grace is over is given up, not started again:"
                    + " let the interrupt end the request (its phone gets no 201 and sends the answers again).");
        }
        throw Pitfalls.leak(interrupted + ", yet " + waitMs + " ms later the worker that ran that save is still alive ("
                + where(worker) + "): once the grace is over, the interrupted request must end, and with it every"
                + " thread of the server.");
    }

    /** Runs first: its requests also take the server's reply path once, before any timing matters. */
    @Test
    @Order(1)
    void anIdleServerStopsAtOnceAndLeavesNothingRunning() throws Exception {
        ScriptedStore store = new ScriptedStore();
        SubmissionServer server = new SubmissionServer(store);
        int port = server.start(LOOPBACK_ANY_PORT);

        for (String patient : List.of("P-1", "P-2", "P-3")) {
            String reply = Phone.post(port, patient, "{\"pain\":1}").outcome(replyWait());
            if (!reply.startsWith("201")) {
                fail("Patient " + patient + "'s questionnaire got " + reply + " instead of 201 Created");
            }
        }
        if (!store.saved.keySet().containsAll(List.of("P-1", "P-2", "P-3"))) {
            fail("Not every questionnaire was stored: " + store.saved.keySet());
        }

        Duration grace = Duration.ofSeconds(10);
        long limit = Patience.millis(1000, 5000);
        Deploy deploy = Deploy.start(server, grace);
        if (!deploy.done.await(limit, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.timeout("Nothing was in flight, yet stop(" + seconds(grace) + ") had not returned after "
                    + limit + " ms; it is " + where(deploy.thread) + ". Waiting for requests in flight must not "
                    + "mean waiting out the whole grace period when there are none.");
        }
        deploy.rethrow();
        // The grader checks next that every thread the server started (the dispatcher, the workers)
        // has ended.
    }

    /**
     * The platform's grace runs to a few minutes: a grace of a whole minute must hold a save in flight
     * just as two seconds do (a grace turned into seconds with toSecondsPart(), the seconds within the
     * minute, becomes stop(0) here), and all of it goes to the requests in flight, the HTTP server's
     * own wait included. The save ends 1.5 s after the call, so the test does not wait out the minute.
     */
    @Test
    @Order(3)
    @org.junit.jupiter.api.Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aGraceOfAMinuteHoldsTheRequestsInFlightToo() throws Exception {
        ScriptedStore store = new ScriptedStore();
        Save p4 = store.hold("P-4");
        SubmissionServer server = new SubmissionServer(store);
        int port = server.start(LOOPBACK_ANY_PORT);
        Duration grace = Duration.ofMinutes(1);
        Phone phone = Phone.post(port, "P-4", "{\"pain\":2,\"nausea\":2,\"sleep\":\"fair\"}");
        Deploy deploy = null;
        try {
            if (!p4.entered.await(ARRIVE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                store.letGoAll();
                server.stop(Duration.ofSeconds(1));
                fail("The questionnaire of P-4 did not reach the store within " + ARRIVE_WAIT_MS
                        + " ms; its phone got: " + phone.outcome(0));
            }
            deploy = Deploy.start(server, grace);
            letTheSaveGoOnAfterStop(deploy, phone, p4, port, LONG_SAVE_AFTER_STOP_MS);
            String reply = phone.outcome(replyWait());
            boolean interrupted = p4.interrupted.getCount() == 0;
            long returned = deploy.returnedAt.get();
            boolean returnedEarly = returned != 0 && (p4.finishedAt.get() == 0 || returned < p4.finishedAt.get());
            if (interrupted || !reply.startsWith("201") || returnedEarly) {
                throw Pitfalls.lostWork("stop(" + seconds(grace) + ") was called while patient P-4's questionnaire"
                        + " was being saved, a save that ended " + LONG_SAVE_AFTER_STOP_MS + " ms later, well within the"
                        + " grace; yet " + (interrupted ? "the save was interrupted " + p4.interruptedAfterStop(deploy)
                                + " and " : returnedEarly ? "stop() returned before it ended and " : "")
                        + "the phone got " + reply + (reply.startsWith("201") ? "" : " instead of 201 Created") + "."
                        + (!interrupted && reply.startsWith("no response") ? " The save was not interrupted, but the"
                                + " phone's connection was closed under it: HttpServer.stop(delay) closes every"
                                + " connection still open once its delay is over, so that delay is part of the grace"
                                + " too." : "")
                        + " A grace of a minute holds the requests in flight as a grace of " + seconds(GRACE) + " does:"
                        + " the whole grace counts, whatever its length (if you turn it into seconds, note that"
                        + " Duration.toSecondsPart() is the seconds within the minute, 0 here; toSeconds() is all of it).");
            }
            long limit = Patience.millis(1000, 5000);
            if (!deploy.done.await(limit, TimeUnit.MILLISECONDS)) {
                throw Pitfalls.timeout("The only request in flight had got its 201, yet stop(" + seconds(grace) + ")"
                        + " had not returned " + limit + " ms later; it is " + where(deploy.thread) + ". Once the"
                        + " requests in flight are done, stop() returns, however much of the grace is left.");
            }
        } finally {
            store.letGoAll();
        }
        deploy.rethrow();
    }

    /**
     * The moment a save ends is the moment stop() may let go of the requests in flight: a stop() that
     * waits for the saves alone, not for the requests, interrupts a handler between its save and its
     * reply. The race is short, so it is run several times: one save each, ending just after stop()
     * has closed the door and started to wait.
     */
    @Test
    @Order(4)
    @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aSaveEndingJustAfterStopGetsItsReplyEveryTime() throws Exception {
        Duration grace = Duration.ofMinutes(1);
        for (int round = 1; round <= SHORT_SAVE_ROUNDS; round++) {
            String patient = "P-" + (500 + round);
            ScriptedStore store = new ScriptedStore();
            Save save = store.hold(patient);
            SubmissionServer server = new SubmissionServer(store);
            int port = server.start(LOOPBACK_ANY_PORT);
            Phone phone = Phone.post(port, patient, "{\"pain\":1,\"nausea\":0,\"sleep\":\"good\"}");
            save.workNanosAtEnd = TimeUnit.MILLISECONDS.toNanos(3);
            Deploy deploy = null;
            try {
                if (!save.entered.await(ARRIVE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                    store.letGoAll();
                    server.stop(Duration.ofSeconds(1));
                    fail("The questionnaire of " + patient + " did not reach the store within " + ARRIVE_WAIT_MS
                            + " ms; its phone got: " + phone.outcome(0));
                }
                deploy = Deploy.start(server, grace);
                letTheSaveGoOnAfterStop(deploy, phone, save, port, 0);
                String reply = phone.outcome(replyWait());
                boolean interrupted = save.interrupted.getCount() == 0;
                if (interrupted || !reply.startsWith("201")) {
                    throw Pitfalls.lostWork("Round " + round + " of " + SHORT_SAVE_ROUNDS + ": stop(" + seconds(grace)
                            + ") was called while patient " + patient + "'s questionnaire was being saved, and the"
                            + " save ended just after stop() had closed the door, well within the grace; yet "
                            + (interrupted ? "the save was interrupted " + save.interruptedAfterStop(deploy) + " and "
                                    : "") + "the phone got " + reply + " instead of 201 Created. A request is in"
                            + " flight until its reply is sent, not only while its save runs: stop() must wait for"
                            + " the whole request (and interrupt nothing before the grace is over).");
                }
                long limit = Patience.millis(1000, 5000);
                if (!deploy.done.await(limit, TimeUnit.MILLISECONDS)) {
                    throw Pitfalls.timeout("Round " + round + ": the only request in flight had got its 201, yet stop("
                            + seconds(grace) + ") had not returned " + limit + " ms later; it is " + where(deploy.thread)
                            + ". Once the requests in flight are done, stop() returns, however much of the grace is"
                            + " left.");
                }
            } finally {
                store.letGoAll();
            }
            deploy.rethrow();
        }
    }

    /** Rounds of {@link #aSaveEndingJustAfterStopGetsItsReplyEveryTime}. */
    private static final int SHORT_SAVE_ROUNDS = 12;

    // ------------------------------------------------------------------ watching stop()

    /**
     * Watches stop() until it has closed the listening socket and is waiting (the moment to let the
     * save go on a while), or has visibly done damage: returned, closed the phone's connection, or
     * interrupted the save.
     */
    private static boolean watchStop(Deploy deploy, Phone phone, Save save, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WATCH_MS);
        long nextProbe = 0;
        while (System.nanoTime() < deadline) {
            if (deploy.done.getCount() == 0 || phone.done.getCount() == 0 || save.interrupted.getCount() == 0) {
                return false;
            }
            Thread.State s = deploy.thread.getState();
            if ((s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && System.nanoTime() >= nextProbe) {
                if (!accepting(port)) {
                    return true; // the door is closed and stop() is waiting
                }
                nextProbe = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            }
            Thread.sleep(2);
        }
        fail("stop() has been running for " + STOP_WATCH_MS + " ms, yet the server still accepts new connections; "
                + "stop() is " + where(deploy.thread) + ". Close the door first (HttpServer.stop closes the "
                + "listening socket at once), then wait for the requests in flight: waiting with the door open "
                + "lets new requests in, and they will be cut off.");
        return false;
    }

    /**
     * Once stop() has closed the door and is waiting, the save goes on afterStopMs from the
     * call, well within the grace, and then ends; at once if stop() did damage first.
     */
    private static void letTheSaveGoOnAfterStop(Deploy deploy, Phone phone, Save save, int port, long afterStopMs)
            throws InterruptedException {
        if (watchStop(deploy, phone, save, port)) {
            long until = deploy.calledAt + TimeUnit.MILLISECONDS.toNanos(afterStopMs);
            while (System.nanoTime() < until && deploy.done.getCount() > 0 && phone.done.getCount() > 0
                    && save.interrupted.getCount() > 0) {
                Thread.sleep(5);
            }
        }
        save.letGo();
    }

    /** Whether the server still accepts connections on {@code port}. */
    private static boolean accepting(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String where(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("gracefulshutdown.") && !f.getClassName().contains("Test")) {
                return t.getState() + " at " + f.getFileName() + ":" + f.getLineNumber();
            }
        }
        return "in state " + t.getState();
    }

    // ------------------------------------------------------------------ the deploy platform

    static final class Deploy {
        final Thread thread;
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong returnedAt = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** When the platform called stop() (System.nanoTime()). */
        long calledAt;

        private Deploy(SubmissionServer server, Duration grace) {
            thread = Thread.ofPlatform().name("deploy-stop").unstarted(() -> {
                try {
                    server.stop(grace);
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    returnedAt.set(System.nanoTime());
                    done.countDown();
                }
            });
        }

        static Deploy start(SubmissionServer server, Duration grace) {
            Deploy d = new Deploy(server, grace);
            d.calledAt = System.nanoTime();
            d.thread.start();
            return d;
        }

        void rethrow() {
            Throwable t = failure.get();
            if (t != null) {
                fail("stop() threw " + t, t);
            }
        }
    }

    // ------------------------------------------------------------------ the patient's phone

    /** One POST on a socket of its own, answered or not, on a thread of its own. */
    static final class Phone {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<String> outcome = new AtomicReference<>();

        static Phone post(int port, String patientId, String json) {
            Phone p = new Phone();
            Thread.ofPlatform().name("phone-" + patientId).start(() -> {
                try {
                    p.outcome.set(send(port, patientId, json));
                } catch (IOException e) {
                    p.outcome.set("no response (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
                } finally {
                    p.done.countDown();
                }
            });
            return p;
        }

        /** The status line the phone got, "no response (...)", or "still waiting". */
        String outcome(long waitMs) throws InterruptedException {
            return done.await(waitMs, TimeUnit.MILLISECONDS) ? outcome.get() : "still waiting for a response";
        }

        private static String send(int port, String patientId, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST /submissions/" + patientId + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "Connection: close\r\n\r\n";
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                socket.setSoTimeout((int) replyWait() + 1000); // outlasts the wait for the outcome
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = in.read()) != -1 && b != '\n') {
                    line.write(b);
                }
                String status = line.toString(StandardCharsets.US_ASCII).trim();
                if (status.isEmpty()) {
                    return "no response (the connection was closed)";
                }
                // "HTTP/1.1 201 Created" -> "201 Created"
                int sp = status.indexOf(' ');
                return sp < 0 ? status : status.substring(sp + 1);
            }
        }
    }

    // ------------------------------------------------------------------ the store double

    /** One held call of store.save, as the store double saw it. */
    static final class Save {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final AtomicLong interruptedAt = new AtomicLong();
        final AtomicLong finishedAt = new AtomicLong();
        private final CountDownLatch gate = new CountDownLatch(1);
        /** How long the save works on (CPU time) once let go, before it returns. */
        volatile long workNanosAtEnd;
        /** The thread that made the call (set before {@link #entered} opens). */
        volatile Thread thread;

        void letGo() {
            gate.countDown();
        }

        String interruptedAfterStop(Deploy deploy) {
            long at = interruptedAt.get();
            return deploy == null || at == 0 ? "" : ms(at - deploy.calledAt) + " after stop() was called";
        }
    }

    static final class ScriptedStore implements SubmissionStore {
        final Map<String, String> saved = new ConcurrentHashMap<>();
        /** A held patient's saves, in the order its calls take them. */
        private final Map<String, Queue<Save>> held = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        private final Queue<Save> all = new ConcurrentLinkedQueue<>();
        /** Calls for a held patient past the saves the test held for it: held as well. */
        private final Queue<Save> extras = new ConcurrentLinkedQueue<>();
        private volatile boolean allLetGo;

        /** Holds the next call of store.save for {@code patientId} (after those held before). */
        Save hold(String patientId) {
            Save save = new Save();
            all.add(save);
            held.computeIfAbsent(patientId, k -> new ConcurrentLinkedQueue<>()).add(save);
            return save;
        }

        int calls(String patientId) {
            AtomicInteger n = calls.get(patientId);
            return n == null ? 0 : n.get();
        }

        /** The first call for a held patient past the saves held for it, or null. */
        Save extra() {
            return extras.peek();
        }

        void letGoAll() {
            allLetGo = true;
            all.forEach(Save::letGo);
        }

        @Override
        public void save(String patientId, String answers) throws InterruptedException {
            Queue<Save> saves = held.get(patientId);
            Save save = saves == null ? null : saves.poll();
            if (saves != null && save == null) { // a call the test did not expect: it hangs as the held ones do
                save = new Save();
                save.thread = Thread.currentThread();
                extras.add(save);
                all.add(save);
                if (allLetGo) {
                    save.letGo();
                }
            }
            calls.computeIfAbsent(patientId, k -> new AtomicInteger()).incrementAndGet();
            if (save == null) {
                saved.put(patientId, answers);
                return;
            }
            save.thread = Thread.currentThread();
            save.entered.countDown();
            try {
                save.gate.await(); // the database write, as long as the test wants it to be
            } catch (InterruptedException e) {
                save.interruptedAt.set(System.nanoTime());
                save.interrupted.countDown();
                throw e;
            }
            long workUntil = System.nanoTime() + save.workNanosAtEnd;
            while (System.nanoTime() < workUntil) {
                Thread.onSpinWait(); // the write's own CPU work: the handler's thread uses up its share
            }
            saved.put(patientId, answers);
            save.finishedAt.set(System.nanoTime());
        }
    }

    static String seconds(Duration d) {
        return d.toSeconds() + " s";
    }

    static String ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }
}
