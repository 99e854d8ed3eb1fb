package dev.kata.probe.time;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Learner-like code for {@link TimeoutRewriterTest}: time limits handed to the JDK, and to its own method. */
public class TimeoutFixture {
    /** Waits up to five seconds for an item. */
    public String pollFiveSeconds(BlockingQueue<String> queue) throws InterruptedException {
        return queue.poll(5, TimeUnit.SECONDS);
    }

    /** Hands the limit to a method of its own first, which hands it to the JDK: shortened once, not twice. */
    public String pollThroughOwnMethod(BlockingQueue<String> queue) throws InterruptedException {
        return pollFor(queue, 5, TimeUnit.SECONDS);
    }

    private String pollFor(BlockingQueue<String> queue, long amount, TimeUnit unit) throws InterruptedException {
        return queue.poll(amount, unit);
    }

    /** Arithmetic on time units is not a limit. */
    /** Ten minutes counted out in nanoseconds by hand, as a deadline loop does. */
    public String pollTenMinutesInNanos(BlockingQueue<String> queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        return queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** "No limit", said the usual way. */
    public String pollForGood(BlockingQueue<String> queue) throws InterruptedException {
        return queue.poll(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Waits for {@code done} with a deadline of its own, half a minute counted on the clock in
     * short sleeps, as a patient shutdown does; returns how many sleeps it took to give up.
     */
    public int sleepsUntilOwnDeadline(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long deadlineMillis = System.currentTimeMillis() + 30_000;
        java.time.Instant deadlineInstant = java.time.Instant.now().plusSeconds(30);
        int sleeps = 0;
        while (!done.getAsBoolean() && System.nanoTime() - deadline < 0 && System.currentTimeMillis() < deadlineMillis
                && java.time.Instant.now().isBefore(deadlineInstant)) {
            Thread.sleep(100);
            sleeps++;
        }
        return sleeps;
    }

    public long secondsInMillis(long seconds) {
        return TimeUnit.MILLISECONDS.convert(seconds, TimeUnit.SECONDS);
    }
}
