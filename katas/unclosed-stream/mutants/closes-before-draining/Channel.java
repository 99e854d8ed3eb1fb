package unclosedstream;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded channel with Go's semantics, brought along when the export was ported from Go:
 * senders block while it is full, receivers block while it is empty, and {@link #close()}
 * marks the end of the stream. A for-each loop over the channel takes items as they come and
 * ends once the channel is closed and drained, like Go's {@code for item := range ch}.
 *
 * <p>As in Go, sending on a closed channel and closing it twice are programming errors: both
 * throw {@link IllegalStateException}.
 */
public final class Channel<T> implements Iterable<T> {
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private boolean closed;

    public Channel(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Waits for room, then adds {@code item}. */
    public void send(T item) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && items.size() == capacity) {
                notFull.await();
            }
            if (closed) {
                throw new IllegalStateException("send on closed channel");
            }
            items.addLast(item);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the next item; returns null once the channel is closed and drained. */
    public T receive() throws InterruptedException {
        lock.lock();
        try {
            while (items.isEmpty() && !closed) {
                notEmpty.await();
            }
            T item = items.pollFirst();
            if (item != null) {
                notFull.signal();
            }
            return item;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the end of the stream: receivers get what is left, then the end. */
    public void close() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("close of closed channel");
            }
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Items in the order they were sent, waiting for each; ends when the channel is closed. */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = receive();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the next item", e);
                    }
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T item = next;
                next = null;
                return item;
            }
        };
    }
}
