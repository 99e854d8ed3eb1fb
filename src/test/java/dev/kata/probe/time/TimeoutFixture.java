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
    public long secondsInMillis(long seconds) {
        return TimeUnit.MILLISECONDS.convert(seconds, TimeUnit.SECONDS);
    }
}
