package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The all-asleep rule, fed made-up looks: a scheduling delay, however long, is never a deadlock;
 * a real one is found after the first look and two confirmations.
 */
class DeadlockDetectorTest {
    private static final int QUEUE = 11;
    private static final int LATCH = 12;
    /** More looks than any confirmation needs: a rule that holds this long holds. */
    private static final int MANY = 1000;

    @Test
    void aPutAndATakeOnOneSynchronousQueueAreAHandOffInFlightEvenIfTheKernelSaysBothSleep() {
        DeadlockDetector detector = new DeadlockDetector();
        for (int i = 0; i < MANY; i++) {
            WaitSample look = look(true,
                    waiter("main", "SynchronousQueue.take", QUEUE, asleep(5)),
                    waiter("report-reader", "SynchronousQueue.put", QUEUE, asleep(7)));
            assertFalse(detector.allAsleep(look), "look " + i);
        }
    }

    @Test
    void aThreadUnparkedButNotYetScheduledIsNeverADeadlockHoweverLongItWaitsForACpu() {
        // Java still reads WAITING for both; the kernel has the reader runnable, queued for a CPU.
        DeadlockDetector detector = new DeadlockDetector();
        for (int i = 0; i < MANY; i++) {
            WaitSample look = look(true,
                    waiter("main", "LinkedBlockingQueue.take", 21, asleep(5)),
                    waiter("report-reader", "Object.wait", 22, awake()));
            assertFalse(detector.allAsleep(look), "look " + i);
        }
    }

    @Test
    void aThreadThatRunsBetweenLooksIsNotAsleepEvenIfItIsAlwaysSeenInTheSameWait() {
        DeadlockDetector detector = new DeadlockDetector();
        for (int i = 0; i < MANY; i++) {
            WaitSample look = look(true,
                    waiter("main", "LinkedBlockingQueue.take", 21, asleep(5)),
                    waiter("worker", "LinkedBlockingQueue.take", 22, asleep(100 + i)));
            assertFalse(detector.allAsleep(look), "look " + i);
        }
    }

    @Test
    void withoutTheKernelsWordLooksTakenWhileTheDetectorItselfWasStarvedProveNothing() {
        DeadlockDetector detector = new DeadlockDetector();
        WaitSample late = look(false, waiter("main", "CountDownLatch.await", LATCH, unknown()));
        for (int i = 0; i < MANY; i++) {
            assertFalse(detector.allAsleep(late), "look " + i);
        }
    }

    @Test
    void aLatchAlreadyAtZeroWillWakeItsWaiter() {
        DeadlockDetector detector = new DeadlockDetector();
        Waiter released = new Waiter("main", false, Thread.State.WAITING, false, "CountDownLatch.await", LATCH, true,
                "main@await", asleep(5));
        for (int i = 0; i < MANY; i++) {
            assertFalse(detector.allAsleep(new WaitSample(true, List.of(released), List.of())), "look " + i);
        }
    }

    @Test
    void aBusyPoolWorkerCouldStillWakeTheTest() {
        DeadlockDetector detector = new DeadlockDetector();
        for (int i = 0; i < MANY; i++) {
            WaitSample look = new WaitSample(true, List.of(waiter("main", "CompletableFuture.get", 31, asleep(5))),
                    List.of(awake()));
            assertFalse(detector.allAsleep(look), "look " + i);
        }
    }

    @Test
    void aSelfDeadlockIsFoundAtTheThirdLookWithTheKernelsWord() {
        DeadlockDetector detector = new DeadlockDetector();
        WaitSample stuck = look(true, waiter("main", "SynchronousQueue.put", QUEUE, asleep(5)));
        assertEquals(DeadlockDetector.LOOKS_WITH_KERNEL, looksUntilFound(detector, stuck));
    }

    @Test
    void withoutTheKernelsWordLateLooksDelayTheVerdictButDoNotEraseTheEvidence() {
        DeadlockDetector detector = new DeadlockDetector();
        WaitSample onTime = look(true, waiter("main", "SynchronousQueue.put", QUEUE, unknown()));
        WaitSample late = look(false, waiter("main", "SynchronousQueue.put", QUEUE, unknown()));
        for (int i = 1; i < DeadlockDetector.LOOKS_WITHOUT_KERNEL; i++) {
            assertFalse(detector.allAsleep(onTime));
            assertFalse(detector.allAsleep(late));
        }
        assertTrue(detector.allAsleep(onTime));
    }

    @Test
    void withTheKernelsWordAStarvedDetectorStillFindsARealDeadlock() {
        DeadlockDetector detector = new DeadlockDetector();
        WaitSample late = look(false, waiter("main", "SynchronousQueue.put", QUEUE, asleep(5)));
        assertEquals(DeadlockDetector.LOOKS_WITH_KERNEL, looksUntilFound(detector, late));
    }

    @Test
    void withoutTheKernelsWordItTakesALongStillness() {
        DeadlockDetector detector = new DeadlockDetector();
        WaitSample stuck = look(true, waiter("main", "SynchronousQueue.put", QUEUE, unknown()));
        assertEquals(DeadlockDetector.LOOKS_WITHOUT_KERNEL, looksUntilFound(detector, stuck));
    }

    @Test
    void twoThreadsWaitingOnEachOthersQueuesAreADeadlock() {
        DeadlockDetector detector = new DeadlockDetector();
        WaitSample stuck = look(true,
                waiter("main", "SynchronousQueue.take", 41, asleep(5)),
                waiter("report-reader", "SynchronousQueue.take", 42, asleep(9)));
        assertEquals(DeadlockDetector.LOOKS_WITH_KERNEL, looksUntilFound(detector, stuck));
    }

    @Test
    void anyMovementStartsTheConfirmationOver() {
        DeadlockDetector detector = new DeadlockDetector();
        WaitSample first = look(true, waiter("main", "SynchronousQueue.put", QUEUE, asleep(5)));
        WaitSample ranOnce = look(true, waiter("main", "SynchronousQueue.put", QUEUE, asleep(6)));
        assertFalse(detector.allAsleep(first));
        assertFalse(detector.allAsleep(first));
        assertFalse(detector.allAsleep(ranOnce));
        assertFalse(detector.allAsleep(ranOnce));
        assertTrue(detector.allAsleep(ranOnce));
    }

    private static int looksUntilFound(DeadlockDetector detector, WaitSample look) {
        for (int i = 1; i <= MANY; i++) {
            if (detector.allAsleep(look)) {
                return i;
            }
        }
        return -1;
    }

    private static WaitSample look(boolean onTime, Waiter... waiters) {
        return new WaitSample(onTime, new ArrayList<>(List.of(waiters)), List.of());
    }

    private static Waiter waiter(String name, String call, int blocker, KernelThreads.View kernel) {
        return new Waiter(name, false, Thread.State.WAITING, false, call, blocker, false, name + "@" + call, kernel);
    }

    private static KernelThreads.View asleep(long runs) {
        return new KernelThreads.View(KernelThreads.Word.ASLEEP, runs);
    }

    private static KernelThreads.View awake() {
        return new KernelThreads.View(KernelThreads.Word.AWAKE, -1);
    }

    private static KernelThreads.View unknown() {
        return new KernelThreads.View(KernelThreads.Word.UNKNOWN, -1);
    }
}
