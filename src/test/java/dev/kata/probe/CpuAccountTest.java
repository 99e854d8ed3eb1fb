package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Idleness from the kernel's run counts: a thread asleep at every reading may still be running in between. */
class CpuAccountTest {
    private static final long MS = 1_000_000;
    /** Readings start at some moment of System.nanoTime(), not at 0. */
    private static final long T0 = 5_000 * MS;

    private static KernelThreads.Task task(int tid, char state, long runs) {
        return new KernelThreads.Task(tid, state, runs, 0, 0);
    }

    private static KernelThreads kernel(KernelThreads.Task... tasks) {
        return KernelThreads.of(Map.of("worker", List.of(tasks)));
    }

    @Test
    void threadsStartedAndEndedBetweenTwoReadingsAreKnownToBeMissed() {
        KernelThreads.Task main = task(1, 'S', 5);
        CpuAccount account = new CpuAccount(kernel(main));
        KernelThreads.Task seen = task(9, 'R', 1);
        account.update(kernel(main, seen), List.of(), Map.of(9, seen), T0);
        account.update(kernel(main), List.of(), Map.of(), T0 + 400 * MS);

        assertEquals(false, account.missesThreads(1), "the one thread started was seen");
        assertEquals(true, account.missesThreads(3), "two more came and went unseen: their wait is not counted");
    }

    @Test
    void aThreadAsleepAtEveryReadingButRunningInBetweenIsNotIdle() {
        CpuAccount account = new CpuAccount(null);
        for (int i = 0; i < 10; i++) {
            // a ticker on a busy machine: readings 250 ms apart each find it asleep, but it ran since the last
            KernelThreads.Task ticker = task(7, 'S', 100 + i);
            account.update(kernel(ticker), List.of(), Map.of(7, ticker), T0 + i * 250 * MS);
        }
        assertEquals(0, account.idleMs(T0 + 9 * 250 * MS));
    }

    @Test
    void aThreadThatHasNotRunSinceAReadingIsIdleFromThatReading() {
        CpuAccount account = new CpuAccount(null);
        KernelThreads.Task parked = task(7, 'S', 42);
        for (int ms = 0; ms <= 1500; ms += 250) {
            account.update(kernel(parked), List.of(), Map.of(7, parked), T0 + ms * MS);
        }
        assertEquals(1500, account.idleMs(T0 + 1500 * MS));
    }

    /**
     * Two readings 2.6 s apart, nothing run in between: the watchdog did not run either, maybe nothing
     * on the machine did (a virtual machine's host had stopped it). A correct fix was once ended as
     * "stuck" so, at a load of 26 on two cores. Idleness counts only from readings close together.
     */
    @Test
    void readingsFarApartProveNoIdleness() {
        CpuAccount account = new CpuAccount(null);
        KernelThreads.Task parked = task(7, 'S', 42);
        account.update(kernel(parked), List.of(), Map.of(7, parked), T0);
        account.update(kernel(parked), List.of(), Map.of(7, parked), T0 + 100 * MS);
        account.update(kernel(parked), List.of(), Map.of(7, parked), T0 + 2700 * MS);
        assertEquals(0, account.idleMs(T0 + 2700 * MS));
        account.update(kernel(parked), List.of(), Map.of(7, parked), T0 + 2900 * MS);
        assertEquals(200, account.idleMs(T0 + 2900 * MS), "from the reading after the gap on");
    }

    @Test
    void aThreadThatEndedOrStartedSinceTheLastReadingMoved() {
        CpuAccount account = new CpuAccount(null);
        KernelThreads.Task parked = task(7, 'S', 42);
        account.update(kernel(parked), List.of(), Map.of(7, parked), T0);
        account.update(kernel(), List.of(), Map.of(), T0 + 250 * MS);
        assertEquals(0, account.idleMs(T0 + 250 * MS));
        KernelThreads.Task started = task(8, 'S', 1);
        account.update(kernel(started), List.of(), Map.of(8, started), T0 + 500 * MS);
        assertEquals(0, account.idleMs(T0 + 500 * MS));
    }

    @Test
    void withoutRunCountsTheStateAtEachReadingDecides() {
        CpuAccount account = new CpuAccount(null);
        KernelThreads.Task unknown = task(7, 'S', -1);
        for (int ms = 0; ms <= 1200; ms += 200) {
            account.update(kernel(unknown), List.of(), Map.of(7, unknown), T0 + ms * MS);
        }
        assertEquals(1200, account.idleMs(T0 + 1200 * MS));
        KernelThreads.Task awake = task(7, 'R', -1);
        account.update(kernel(awake), List.of(), Map.of(7, awake), T0 + 1300 * MS);
        assertEquals(0, account.idleMs(T0 + 1300 * MS));
    }
}
