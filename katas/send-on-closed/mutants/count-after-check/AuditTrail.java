package sendonclosed;

import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The audit trail of the payments back office: every admin action (a refund approved, a limit
 * raised, a card unblocked) is recorded here by the request thread that performed it, and a
 * background shipper writes the lines, in order, to the write-once compliance archive.
 *
 * <p>{@link #close()} is called once, when the service shuts down: it ships every line recorded
 * so far and stops the shipper.
 */
public final class AuditTrail implements AutoCloseable {

    /** One audited action. {@link #render()} snapshots it as one archive line. */
    public interface AuditEvent {
        String id();

        String render();
    }

    /** The compliance archive. Called from the shipper thread only. */
    public interface Archive {
        void store(String line);
    }

    /** Lines waiting to be shipped. */
    private static final int CAPACITY = 1024;
    /** Marks the end of the stream for the shipper (compared by identity). */
    private static final String END_OF_STREAM = new String("end-of-stream");

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(CAPACITY);
    private final Archive archive;
    private final Thread shipper;
    /** Set once by close(): from then on record refuses. */
    private volatile boolean closed;
    /** Records that got past the closed check and have not finished yet. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** close() waits here for the records in flight. */
    private final Object drained = new Object();
    /** Guarded by drained. */
    private boolean endQueued;

    public AuditTrail(Archive archive) {
        this.archive = Objects.requireNonNull(archive, "archive");
        this.shipper = Thread.ofVirtual().name("audit-shipper").start(this::ship);
    }

    /**
     * Records {@code event}: its line is shipped to the archive in the background. Waits if too
     * many lines are already waiting.
     *
     * @throws IllegalStateException if the trail is closed: the event was not recorded
     */
    public void record(AuditEvent event) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("audit trail is closed");
        }
        inFlight.incrementAndGet();
        try {
            lines.put(event.render());
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (drained) {
                    drained.notifyAll();
                }
            }
        }
    }

    /** Ships every line recorded so far, then stops the shipper. */
    @Override
    public void close() throws InterruptedException {
        closed = true; // new records are refused at once
        synchronized (drained) {
            while (inFlight.get() > 0) { // let the records in progress finish
                drained.wait();
            }
            if (!endQueued) {
                lines.put(END_OF_STREAM); // if interrupted here, a later close() queues it
                endQueued = true;
            }
        }
        shipper.join();
    }

    private void ship() {
        try {
            while (true) {
                String line = lines.take();
                if (line == END_OF_STREAM) {
                    return;
                }
                archive.store(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
