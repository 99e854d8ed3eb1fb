package sendonclosed;

import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The audit trail of the payments back office: every admin action (a refund approved, a limit
 * raised, a card unblocked) is recorded here by the request thread that performed it, and a
 * background shipper writes the lines, in order, to the write-once compliance archive.
 *
 * <p>{@link #close()} is called when the service shuts down: it ships every line recorded so far
 * and stops the shipper. Request threads may still be recording at that moment; from then on
 * {@link #record} refuses, loudly, instead of accepting lines that would never be shipped.
 *
 * <p>The trail owns the end of the stream. Recording and closing exclude each other: a record
 * call holds the read side of a lock while it checks that the trail is open and enqueues its
 * line, and close() takes the write side to mark the end. So every line accepted is queued
 * before the end-of-stream marker, and is shipped.
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
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private boolean closed; // guarded by gate

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
        gate.readLock().lock(); // many recorders at once, but never while close() runs
        try {
            if (closed) {
                throw new IllegalStateException("audit trail is closed: event " + event.id() + " was not recorded");
            }
            lines.put(event.render());
        } finally {
            gate.readLock().unlock();
        }
    }

    /**
     * Ships every line recorded so far, then stops the shipper. Every call returns once the shipper
     * has stopped; only the first ends the stream. If the caller is interrupted before the end of
     * the stream is marked, it throws InterruptedException and the trail stays open.
     */
    @Override
    public void close() throws InterruptedException {
        gate.writeLock().lock(); // waits for record calls in progress to finish enqueueing
        try {
            if (!closed) {
                lines.put(END_OF_STREAM); // after every accepted line, before any refused one
                closed = true; // only once the marker is in: an interrupted put leaves the trail open
            }
        } finally {
            gate.writeLock().unlock();
        }
        try {
            shipper.join(); // without the lock: recorders arriving meanwhile are refused at once
        } catch (InterruptedException e) {
            shipper.interrupt(); // the caller gave up on the shutdown: do not leave the shipper running behind it
            throw e;
        }
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
