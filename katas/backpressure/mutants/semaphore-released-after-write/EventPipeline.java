package backpressure;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Carries audit events from the request handlers (fast, many) to the database writer (slow,
 * one thread). {@code submit} hands an event over; a single writer thread writes them in order.
 */
public final class EventPipeline implements AutoCloseable {

    public record Event(long seq, String payload) {
    }

    /** Writes one event to the audit database. Slow: a network round trip per event. */
    public interface Writer {
        void write(Event event) throws InterruptedException;
    }

    private static final Event END = new Event(-1, "end of stream");

    private final BlockingQueue<Event> pending = new LinkedBlockingQueue<>();
    private final Semaphore inFlight;
    private final Thread writerThread;

    /**
     * @param maxBacklog how many accepted events may wait for the writer at most
     */
    public EventPipeline(Writer writer, int maxBacklog) {
        // Go's semaphore: at most maxBacklog events in flight, a permit given back once written.
        this.inFlight = new Semaphore(maxBacklog);
        this.writerThread = Thread.ofPlatform().name("audit-writer").start(() -> {
            try {
                for (Event event = pending.take(); event != END; event = pending.take()) {
                    try {
                        writer.write(event);
                    } finally {
                        inFlight.release();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Hands an event to the writer; waits while the writer is maxBacklog events behind. */
    public void submit(Event event) throws InterruptedException {
        inFlight.acquire();
        pending.put(event);
    }

    /** Writes every event submitted so far, then stops the writer thread. */
    @Override
    public void close() throws InterruptedException {
        pending.put(END);
        writerThread.join();
    }
}
