package gracefulshutdown;

import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * Hidden tests for the graceful-shutdown kata. The test plays both the patient's phone (a plain
 * HTTP/1.1 client on a socket, loopback only) and the deploy platform (it calls stop() on a thread
 * of its own). The store double holds one patient's save until the test lets it go, so that a
 * request is reliably in flight when stop() is called.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SubmissionServerTest {

    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    /** How long a request may take to reach the store. */
    private static final long ARRIVE_WAIT_MS = 1000;
    /** How long the test watches stop() for it to close the door and start waiting. */
    private static final long STOP_WATCH_MS = 1000;
    /** How long, once the save is let go, the reply and stop() may take. */
    private static final long FINISH_WAIT_MS = 2000;
    /** How long the save goes on once stop() has closed the door and is waiting. */
    private static final long SAVE_AFTER_CLOSE_MS = 1200;

    @Test
    @Order(1)
    @org.junit.jupiter.api.Timeout(value = 8, unit = TimeUnit.SECONDS)
    void stopLetsTheRequestInFlightFinish() throws Exception {
        ScriptedStore store = new ScriptedStore();
        store.hold("P-7");
        SubmissionServer server = new SubmissionServer(store);
        int port = server.start(LOOPBACK_ANY_PORT);

        Phone phone = Phone.post(port, "P-7", "{\"pain\":3,\"nausea\":1,\"sleep\":\"poor\"}");
        Deploy deploy = null;
        try {
            if (!store.entered.await(ARRIVE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                server.stop();
                fail("P-7's questionnaire never reached the store within " + ARRIVE_WAIT_MS + " ms; the phone got: "
                        + phone.outcome(0));
            }
            deploy = Deploy.start(server);
            if (watchStop(deploy, phone, store, port)) {
                // The door is closed and stop() is waiting. A save can take longer than a second:
                // keep this one going a while, longer than any one-second grace a stop might give.
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAVE_AFTER_CLOSE_MS);
                while (System.nanoTime() < until && deploy.done.getCount() > 0 && phone.done.getCount() > 0
                        && store.interrupted.getCount() > 0) {
                    Thread.sleep(5);
                }
            }
        } finally {
            store.letGo();
        }

        String reply = phone.outcome(FINISH_WAIT_MS);
        boolean stopReturned = deploy.done.await(FINISH_WAIT_MS, TimeUnit.MILLISECONDS);
        boolean interrupted = store.interrupted.getCount() == 0;
        boolean confirmed = reply.startsWith("201");
        boolean returnedEarly = deploy.returnedAt.get() != 0 && deploy.returnedAt.get() < store.finishedAt.get()
                || deploy.returnedAt.get() != 0 && store.finishedAt.get() == 0;
        if (interrupted || !confirmed || returnedEarly) {
            List<String> what = new ArrayList<>();
            if (returnedEarly) {
                what.add("stop() returned while the questionnaire was still being saved, so the platform would "
                        + "have ended the process right there");
            }
            if (interrupted) {
                what.add("the save itself was interrupted (shutdownNow interrupts the workers), so the answers "
                        + "were never stored");
            } else if (store.saved.containsKey("P-7")) {
                what.add("the save did finish");
            }
            if (!confirmed) {
                what.add("the phone got " + reply + " instead of 201 Created"
                        + (reply.startsWith("no response") ? ": its connection was closed under the running "
                                + "request (server.stop(0) closes every open connection at once)" : ""));
            }
            throw Pitfalls.lostWork("During a deploy, stop() was called while patient P-7's questionnaire was "
                    + "being saved, and it did not let that request finish: " + String.join("; ", what) + ". "
                    + "The app either lost the answers or will send them again, and the study team sees a gap or "
                    + "a duplicate. A graceful stop closes the door to new requests first, then waits for the "
                    + "ones in flight to send their responses, up to a deadline, and only then lets the workers "
                    + "go: Go's http.Server.Shutdown(ctx); in Java, HttpServer.stop(delay) with a delay long "
                    + "enough for a request, then shutdown() and awaitTermination() on the executor.");
        }
        if (!stopReturned) {
            throw Pitfalls.timeout("The request in flight finished and got its 201, but stop() had not returned "
                    + FINISH_WAIT_MS + " ms later; it is " + where(deploy.thread) + ". Once nothing is in flight, "
                    + "stop() must end promptly: the deploy is waiting.");
        }
        deploy.rethrow();
        if (store.saves.get() != 1) {
            fail("P-7's questionnaire was saved " + store.saves.get() + " times; expected once");
        }
    }

    @Test
    @Order(2)
    void anIdleServerStopsAtOnceAndLeavesNothingRunning() throws Exception {
        ScriptedStore store = new ScriptedStore();
        SubmissionServer server = new SubmissionServer(store);
        int port = server.start(LOOPBACK_ANY_PORT);

        for (String patient : List.of("P-1", "P-2", "P-3")) {
            String reply = Phone.post(port, patient, "{\"pain\":1}").outcome(2000);
            if (!reply.startsWith("201")) {
                fail("Patient " + patient + "'s questionnaire got " + reply + " instead of 201 Created");
            }
        }
        if (!store.saved.keySet().containsAll(List.of("P-1", "P-2", "P-3"))) {
            fail("Not every questionnaire was stored: " + store.saved.keySet());
        }

        Deploy deploy = Deploy.start(server);
        if (!deploy.done.await(1000, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.timeout("Nothing was in flight, yet stop() had not returned after 1000 ms; it is "
                    + where(deploy.thread) + ". Waiting for requests in flight must not mean waiting out the "
                    + "whole grace period when there are none.");
        }
        deploy.rethrow();
        // The grader checks next that every thread the server started (the dispatcher, the workers)
        // has ended.
    }

    // ------------------------------------------------------------------ watching stop()

    /**
     * Watches stop() until it has closed the listening socket and is waiting (the moment to let the
     * save go), or has visibly done damage: returned, closed the phone's connection, or interrupted
     * the save.
     */
    private static boolean watchStop(Deploy deploy, Phone phone, ScriptedStore store, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WATCH_MS);
        long nextProbe = 0;
        while (System.nanoTime() < deadline) {
            if (deploy.done.getCount() == 0 || phone.done.getCount() == 0 || store.interrupted.getCount() == 0) {
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

        private Deploy(SubmissionServer server) {
            thread = Thread.ofPlatform().name("deploy-stop").unstarted(() -> {
                try {
                    server.stop();
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    returnedAt.set(System.nanoTime());
                    done.countDown();
                }
            });
        }

        static Deploy start(SubmissionServer server) {
            Deploy d = new Deploy(server);
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
                socket.setSoTimeout(3000);
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

    static final class ScriptedStore implements SubmissionStore {
        final Map<String, String> saved = new ConcurrentHashMap<>();
        final AtomicInteger saves = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final AtomicLong finishedAt = new AtomicLong();
        private final CountDownLatch gate = new CountDownLatch(1);
        private volatile String held;

        void hold(String patientId) {
            held = patientId;
        }

        void letGo() {
            gate.countDown();
        }

        @Override
        public void save(String patientId, String answers) throws InterruptedException {
            saves.incrementAndGet();
            if (patientId.equals(held)) {
                entered.countDown();
                try {
                    gate.await(); // the database write, as long as the test wants it to be
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
                saved.put(patientId, answers);
                finishedAt.set(System.nanoTime());
                return;
            }
            saved.put(patientId, answers);
        }
    }
}
