package dev.kata.probe.noise;

import java.util.concurrent.atomic.AtomicInteger;

/** Learner-like code for NoiseRewriterTest: counters updated with and without a gap between read and write. */
public class Racer {
    private final AtomicInteger atomic = new AtomicInteger();
    private int plain;
    private volatile boolean open = true;
    private final Object room = new Object();
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.List<Integer> items = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Racer() {
        plain = 0;
    }

    /** A check of a volatile flag, then an act on it: another thread may close between the two. */
    public boolean checkThenCount() {
        if (!open) {
            return false;
        }
        atomic.incrementAndGet();
        return true;
    }

    /** Looks for room under a monitor and takes it after leaving: two threads can both see room. */
    public void addIfRoom() {
        synchronized (room) {
            if (items.size() >= 1) {
                return;
            }
        }
        items.add(1);
    }

    /** The same with a lock. */
    public void addIfRoomLocked() {
        lock.lock();
        try {
            if (items.size() >= 1) {
                return;
            }
        } finally {
            lock.unlock();
        }
        items.add(1);
    }

    public int items() {
        return items.size();
    }

    public void splitIncrement() {
        atomic.set(atomic.get() + 1);
    }

    public void atomicIncrement() {
        atomic.incrementAndGet();
    }

    public void plainIncrement() {
        plain++;
    }

    public int atomicValue() {
        return atomic.get();
    }

    public int plainValue() {
        return plain;
    }

    public java.util.Map<String, Integer> newMap() {
        return new java.util.HashMap<>(new Table());
    }

    /** A HashMap of the learner's own: its super() call stays a HashMap's. */
    public static class Table extends java.util.HashMap<String, Integer> {
        private static final long serialVersionUID = 1L;

        public Table() {
            super(4);
        }
    }
}
