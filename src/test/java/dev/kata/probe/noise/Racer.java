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

    /**
     * Two workers that each count themselves in only once they run (Go's WaitGroup.Add inside the
     * goroutine), the first with nothing to do: how many times the count fell to zero. More than
     * once: the first finished before the second had counted itself in.
     */
    public int countsInOnceRunning() throws InterruptedException {
        LateCount count = new LateCount();
        Thread first = Thread.ofVirtual().start(count::work);
        Thread second = Thread.ofVirtual().start(count::work);
        first.join();
        second.join();
        return count.endings.get();
    }

    /** The same, the workers started by a method reference: {@code forEach(Thread::start)}. */
    public int countsInOnceRunningStartedByReference() throws InterruptedException {
        LateCount count = new LateCount();
        java.util.List<Thread> workers = java.util.List.of(Thread.ofVirtual().unstarted(count::work),
                Thread.ofVirtual().unstarted(count::work));
        workers.forEach(Thread::start);
        for (Thread t : workers) {
            t.join();
        }
        return count.endings.get();
    }

    /** The workers' count of themselves, raised only once each runs, and how often it fell to zero. */
    private static final class LateCount {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger endings = new AtomicInteger();

        void work() {
            running.incrementAndGet();
            if (running.decrementAndGet() == 0) {
                endings.incrementAndGet();
            }
        }
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
