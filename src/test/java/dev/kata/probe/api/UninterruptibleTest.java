package dev.kata.probe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class UninterruptibleTest {

    @Test
    void anInterruptDoesNotEndTheWaitAndIsReported() throws Exception {
        CountDownLatch latch = new CountDownLatch(1);
        boolean[] interrupted = new boolean[2];
        Thread waiter = new Thread(() -> {
            interrupted[0] = Uninterruptible.await(latch, Long.MAX_VALUE);
            interrupted[1] = Thread.currentThread().isInterrupted();
        });
        waiter.start();
        waiter.interrupt();
        waiter.join(50);
        assertTrue(waiter.isAlive(), "the wait ended on an interrupt");
        latch.countDown();
        waiter.join();
        assertTrue(interrupted[0], "the interrupt was not reported");
        assertFalse(interrupted[1], "the interrupt status was left set");
    }

    @Test
    void aWaitWithALimitEndsWithTheLatchStillUp() {
        CountDownLatch latch = new CountDownLatch(1);
        assertFalse(Uninterruptible.await(latch, 10));
        assertEquals(1, latch.getCount());
    }
}
