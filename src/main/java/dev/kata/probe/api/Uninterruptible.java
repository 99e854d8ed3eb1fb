package dev.kata.probe.api;

import java.util.concurrent.TimeUnit;

/**
 * A dependency's call that does not end when its thread is interrupted, as a plain socket read
 * does not: hidden tests use it to show code that takes an interrupt for the end of the work.
 */
public final class Uninterruptible {
    private Uninterruptible() {
    }

    /**
     * Sleeps {@code millis} in all, however often the thread is interrupted meanwhile, and returns
     * whether it was; the interrupt status is left clear, for the caller to set again or to turn
     * into an {@code InterruptedException}.
     */
    public static boolean sleep(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        boolean interrupted = false;
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
