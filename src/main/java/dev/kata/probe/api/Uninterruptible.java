package dev.kata.probe.api;

import java.util.concurrent.CountDownLatch;
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

    /**
     * Waits until {@code latch} is at zero or {@code millis} have passed ({@code Long.MAX_VALUE}: no
     * limit), however often the thread is interrupted meanwhile, and returns whether it was; the
     * interrupt status is left clear, as by {@link #sleep}. Whether the latch got to zero, the
     * caller reads from it.
     */
    public static boolean await(CountDownLatch latch, long millis) {
        long limit = TimeUnit.MILLISECONDS.toNanos(millis);
        long start = System.nanoTime();
        boolean interrupted = false;
        for (long left; latch.getCount() > 0 && (left = limit - (System.nanoTime() - start)) > 0; ) {
            try {
                latch.await(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
