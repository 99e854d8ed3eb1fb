package dev.kata.probe.races;

import java.util.concurrent.locks.ReentrantLock;

/** Learner-like code for {@link RaceRewriterTest}: each scenario shares a field one way, right or wrong. */
public class RaceFixture {
    private boolean plainFlag = true;
    private volatile boolean volatileFlag = true;
    private long result;
    private int value;
    private int count;
    private int guarded;
    private final ReentrantLock lock = new ReentrantLock();
    /** Initialised on first use, by whichever thread gets there first. */
    static final class Table {
        private static int[] rows;

        static {
            fill();
            try {
                Thread.sleep(50); // long enough for another thread to wait for the initialisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void fill() {
            rows = new int[] {1, 2, 3};
        }

        static int size() {
            return rows.length;
        }
    }

    /** A step the caller supplies: code that is not the learner's, and may synchronise. */
    public abstract static class Step {
        public abstract void run();
    }

    /** Initialises the table, then stays in the learner's code a while (publishing nothing). */
    public int initialiseTableAndLinger() {
        int size = Table.size();
        long until = System.nanoTime() + 150_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        return size;
    }

    /** Uses the table a little later: it waits for the initialisation in progress, then reads. */
    public int tableSizeSoon() throws InterruptedException {
        Thread.sleep(10);
        return Table.size();
    }

    /** Runs the caller's step, then reads. */
    public int readAfterStep(Step step) {
        step.run();
        return value;
    }

    /** A worker spins on a plain flag that this thread clears: the visibility bug. */
    public void plainStopFlag() throws InterruptedException {
        Thread worker = new Thread(() -> {
            while (plainFlag) {
                Thread.onSpinWait();
            }
        });
        worker.start();
        Thread.sleep(20);
        plainFlag = false;
        worker.join(2000);
    }

    /** The same with a volatile flag. */
    public void volatileStopFlag() throws InterruptedException {
        Thread worker = new Thread(() -> {
            while (volatileFlag) {
                Thread.onSpinWait();
            }
        });
        worker.start();
        Thread.sleep(20);
        volatileFlag = false;
        worker.join(2000);
    }

    /** Counts in a final array, written by a worker and read here: each element a plain variable. */
    private final long[] stats = new long[2];

    /** A worker counts into array elements while this thread reads them, nothing ordering the two. */
    public long plainArrayCounts() throws InterruptedException {
        Thread worker = countingUntilSeen();
        long seen = 0;
        long giveUp = System.nanoTime() + 2_000_000_000L;
        while (seen == 0 && System.nanoTime() < giveUp) {
            seen = stats[0];
            Thread.onSpinWait();
        }
        countsSeen = true;
        worker.join();
        return seen;
    }

    /** Set once a count has been read: the worker keeps counting (and publishing nothing) until then. */
    private volatile boolean countsSeen;

    /**
     * A worker that counts into {@code stats[0]} until this thread has read a count. A worker that
     * stopped by itself would publish its counts as it left the learner's code, and a reader that
     * only got the processor afterwards (on a loaded machine) would see them ordered.
     */
    private Thread countingUntilSeen() {
        countsSeen = false;
        Thread worker = new Thread(() -> {
            while (!countsSeen) {
                stats[0]++;
            }
        });
        worker.start();
        return worker;
    }

    /** The same race, the counts read through a local copy of the field ({@code long[] s = stats}). */
    public long aliasedArrayCounts() throws InterruptedException {
        Thread worker = countingUntilSeen();
        long[] counts = stats;
        long seen = 0;
        long giveUp = System.nanoTime() + 2_000_000_000L;
        while (seen == 0 && System.nanoTime() < giveUp) {
            seen = counts[0];
            Thread.onSpinWait();
        }
        countsSeen = true;
        worker.join();
        return seen;
    }

    /** The same counts, read only after joining the worker: ordered. */
    public long joinedArrayCounts() throws InterruptedException {
        Thread worker = new Thread(() -> {
            for (int i = 0; i < 100; i++) {
                stats[1]++;
            }
        });
        worker.start();
        worker.join();
        return stats[1];
    }

    /** A thread's own array, filled and read by it alone (as varargs are): never a race. */
    public String ownArray() throws InterruptedException {
        String[] parts = new String[3];
        Thread worker = new Thread(() -> {
            String[] mine = new String[300];
            for (int i = 0; i < mine.length; i++) {
                mine[i] = "w" + i;
            }
            parts[0] = mine[299];
        });
        worker.start();
        worker.join();
        parts[1] = String.format("%s-%s", "a", "b");
        return parts[0] + parts[1];
    }

    /** A worker writes a plain field; this thread joins it and then reads. */
    public long joinedResult() throws InterruptedException {
        Thread worker = new Thread(() -> result = 42);
        worker.start();
        worker.join();
        return result;
    }

    public void set(int v) {
        value = v;
    }

    public int get() {
        return value;
    }

    /** Two threads add to a plain counter. */
    public int plainCount() throws InterruptedException {
        Runnable add = () -> {
            for (int i = 0; i < 1000; i++) {
                count++;
            }
        };
        Thread a = new Thread(add);
        Thread b = new Thread(add);
        a.start();
        b.start();
        a.join();
        b.join();
        return count;
    }

    public synchronized void setSynchronized(int v) {
        guarded = v;
    }

    public synchronized int getSynchronized() {
        return guarded;
    }

    public void setLocked(int v) {
        lock.lock();
        try {
            guarded = v;
        } finally {
            lock.unlock();
        }
    }

    public int getLocked() {
        lock.lock();
        try {
            return guarded;
        } finally {
            lock.unlock();
        }
    }

    /** Spins, without any lock, until the guarded field is set. */
    public int spinUnlocked() {
        while (guarded == 0) {
            Thread.onSpinWait();
        }
        return guarded;
    }

    /** Writes, then fails: the write must still be published when the exception leaves. */
    public void setThenFail(int v) {
        value = v;
        throw new IllegalStateException("refused");
    }

    /** Catches an exception thrown from a call out, then reads. */
    public int readAfterCaught(Runnable outside) {
        try {
            outside.run();
        } catch (RuntimeException e) {
            return value;
        }
        return -1;
    }

    /**
     * A worker writes {@code value} after this thread last synchronised; this thread then throws
     * and catches its own exception, which orders nothing, and reads.
     */
    public int readInOwnHandlerAfterAnUnorderedWrite() throws InterruptedException {
        Thread writer = new Thread(() -> value = 21);
        writer.start();
        long until = System.nanoTime() + 100_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        try {
            throw new IllegalStateException("the learner's own");
        } catch (IllegalStateException e) {
            return value;
        }
    }

    /**
     * Two threads put into one map at about the same time: the first keeps its change unpublished
     * a while (it spins), the second changes the map meanwhile. {@code guarded} takes one lock
     * around each put.
     */
    public int twoThreadsPut(java.util.Map<String, Integer> map, boolean guarded) throws InterruptedException {
        Thread first = new Thread(() -> {
            if (guarded) {
                synchronized (map) {
                    map.put("first", 1);
                }
            } else {
                map.put("first", 1);
            }
            spin(200);
        });
        Thread second = new Thread(() -> {
            spin(50);
            if (guarded) {
                synchronized (map) {
                    map.put("second", 2);
                }
            } else {
                map.put("second", 2);
            }
        });
        first.start();
        second.start();
        first.join();
        second.join();
        return map.size();
    }

    private static void spin(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private boolean stopAsked;

    /**
     * A worker sleeps until interrupted, then reads a plain flag that this thread set before it
     * interrupted the worker: the interrupt orders the write before the read.
     */
    public boolean stopByInterrupt() throws InterruptedException {
        boolean[] seen = new boolean[1];
        Thread worker = new Thread(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                seen[0] = stopAsked;
            }
        });
        worker.start();
        spin(50);
        stopAsked = true;
        worker.interrupt();
        worker.join();
        return seen[0];
    }
}
