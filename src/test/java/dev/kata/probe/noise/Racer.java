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
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger endings = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            running.incrementAndGet();
            if (running.decrementAndGet() == 0) {
                endings.incrementAndGet();
            }
        };
        Thread first = Thread.ofVirtual().start(worker);
        Thread second = Thread.ofVirtual().start(worker);
        first.join();
        second.join();
        return endings.get();
    }

    /** The same, the workers started by a method reference: {@code forEach(Thread::start)}. */
    public int countsInOnceRunningStartedByReference() throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger endings = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            running.incrementAndGet();
            if (running.decrementAndGet() == 0) {
                endings.incrementAndGet();
            }
        };
        java.util.List<Thread> workers = java.util.List.of(Thread.ofVirtual().unstarted(worker), Thread.ofVirtual().unstarted(worker));
        workers.forEach(Thread::start);
        for (Thread t : workers) {
            t.join();
        }
        return endings.get();
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
