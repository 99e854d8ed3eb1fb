package gracefulshutdown;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * <p>The service is redeployed several times a day. The platform then calls {@link #stop(Duration)}
 * and ends the process as soon as it returns, or when the grace period it gave is over, whichever
 * comes first.
 */
public final class SubmissionServer {

    /** Where submissions are kept. Saving is slow: a write to the trial database. */
    public interface SubmissionStore {
        /** Stores one questionnaire. A blocked write ends with InterruptedException when interrupted. */
        void save(String patientId, String answers) throws InterruptedException;
    }

    private static final int WORKERS = 4;

    private final SubmissionStore store;
    private HttpServer server;
    private ExecutorService workers;

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

    /**
     * Called by the platform before it ends the process (a deploy, a scale-down). {@code grace} is
     * how long the platform waits for this method, in whole seconds (at least one).
     */
    public void stop(Duration grace) throws InterruptedException {
        // Let the workers finish what they are doing, then close the server.
        workers.shutdown();
        if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            workers.shutdownNow();
        }
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
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
                // stop() gave up on this save. Not stored: the phone gets no 201, so the app sends
                // the answers again later. The interrupt goes on as the I/O form of it.
                throw new InterruptedIOException("the save of " + patientId + " was interrupted");
            }
            byte[] reply = ("stored questionnaire of " + patientId + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, reply.length);
            exchange.getResponseBody().write(reply);
        }
    }
}
