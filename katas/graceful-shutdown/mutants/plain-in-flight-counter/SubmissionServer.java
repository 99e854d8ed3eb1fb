package gracefulshutdown;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint that patients' phones post their daily questionnaires to (ePRO: electronic
 * patient-reported outcomes). {@code POST /submissions/{patientId}} stores the answers and
 * confirms with {@code 201 Created}; an app that gets no confirmation keeps the answers and
 * tries again later.
 *
 * <p>The service is redeployed several times a day. The platform then calls {@link #stop()} and
 * ends the process as soon as it returns.
 */
public final class SubmissionServer {

    /** Where submissions are kept. Saving is slow: a write to the trial database. */
    public interface SubmissionStore {
        /** Stores one questionnaire. A blocked write ends with InterruptedException when interrupted. */
        void save(String patientId, String answers) throws InterruptedException;
    }

    private static final int WORKERS = 4;
    private static final int GRACE_SECONDS = 30;

    private final SubmissionStore store;
    private HttpServer server;
    private ExecutorService workers;
    /** Requests currently inside the handler. */
    private int inFlight;

    public SubmissionServer(SubmissionStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Starts serving on {@code address}; returns the port it listens on. */
    public int start(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 0);
        workers = Executors.newFixedThreadPool(WORKERS);
        server.setExecutor(workers);
        server.createContext("/submissions/", this::handle);
        server.start();
        return server.getAddress().getPort();
    }

    /** Called by the platform before it ends the process (a deploy, a scale-down). */
    public void stop() {
        // Only wait when something is actually being saved; an idle server stops at once,
        // whatever the JDK does with the delay.
        int busy = inFlight;
        server.stop(busy > 0 ? GRACE_SECONDS : 0);
        workers.shutdown(); // no interrupts: let the handlers finish
        try {
            if (!workers.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        inFlight++;
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String patientId = exchange.getRequestURI().getPath().substring("/submissions/".length());
            String answers = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                store.save(patientId, answers);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1); // not stored: the app will send it again
                return;
            }
            byte[] reply = ("stored questionnaire of " + patientId + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, reply.length);
            exchange.getResponseBody().write(reply);
        } finally {
            inFlight--;
        }
    }
}
