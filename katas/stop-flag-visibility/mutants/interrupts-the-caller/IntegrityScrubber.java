package stopflagvisibility;

import java.util.concurrent.TimeUnit;

/**
 * Guards the in-memory record index against silent corruption (a bad memory module, a stray
 * write): while the service runs, a background thread recomputes the digest of the index over
 * and over and compares it with the digest taken when the index was loaded. The service calls
 * {@link #start()} at boot and {@link #stop()} when it shuts down or reloads the index.
 */
public final class IntegrityScrubber {
    private final long[] index;
    private final long expectedDigest;

    // volatile: a write by stop() is seen by the scrubber thread on its next read.
    private volatile boolean running;
    // Written by the scrubber thread only, read by the health page: volatile is enough here
    // (one writer, so passes++ cannot lose updates), and readers always see a recent value.
    private volatile long passes;
    private volatile long mismatches;
    private Thread worker;

    public IntegrityScrubber(long[] index) {
        this.index = index.clone();
        this.expectedDigest = digest(this.index);
    }

    /** Starts scrubbing in a background thread. */
    public void start() {
        running = true;
        worker = new Thread(this::scrub, "integrity-scrubber");
        worker.start();
    }

    /** Asks the scrubber to stop; it finishes the pass it is in and ends. */
    public void stop() {
        Thread.currentThread().interrupt(); // an interrupt is always visible to the thread
    }

    /** Waits up to {@code timeout} for the scrubber thread to end; true if it has ended. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        worker.join(Math.max(1, unit.toMillis(timeout)));
        return !worker.isAlive();
    }

    /** Completed passes over the whole index, for the service's health page. */
    public long passes() {
        return passes;
    }

    /** Passes that found the index changed since it was loaded. */
    public long mismatches() {
        return mismatches;
    }

    private void scrub() {
        while (!Thread.currentThread().isInterrupted()) {
            if (digest(index) != expectedDigest) {
                mismatches++;
            }
            passes++;
        }
    }

    private static long digest(long[] words) {
        long h = 17;
        for (long w : words) {
            h = h * 31 + w;
        }
        return h;
    }
}
