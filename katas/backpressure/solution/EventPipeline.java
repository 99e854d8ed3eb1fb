package backpressure;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

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
        // Bounded: when maxBacklog events are waiting, put() blocks the submitter until the
        // writer takes one. The producer slows down to the writer's pace instead of piling up.
        this.pending = new ArrayBlockingQueue<>(maxBacklog);
        this.writerThread = Thread.ofPlatform().name("audit-writer").start(() -> {
            try {
                for (Event event = pending.take(); event != END; event = pending.take()) {
                    writer.write(event);
                }
            } catch (InterruptedException e) {
                // This thread is the pipeline's own and ends here: stopping is all an interrupt asks of it.
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
