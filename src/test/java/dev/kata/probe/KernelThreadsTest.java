package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelThreadsTest {
    @Test
    void aTaskIsNamedAfterTheFirstFifteenBytesOfItsThread() {
        assertEquals("report-reader", KernelThreads.taskName("report-reader"));
        assertEquals("pool-1-thread-1", KernelThreads.taskName("pool-1-thread-12"));
    }

    @Test
    void everyTaskAThreadMayBeMustSleepForTheThreadToCountAsAsleep() {
        KernelThreads kernel = KernelThreads.of(Map.of(
                "pool-1-thread-1", List.of(task(1, 'S', 4), task(2, 'R', 9)),
                "main", List.of(),
                "java", List.of(task(3, 'S', 2), task(4, 'S', 40)),
                "worker", List.of(task(5, 'S', 7))));

        assertEquals(KernelThreads.Word.AWAKE, kernel.of("pool-1-thread-1").word());
        assertEquals(new KernelThreads.View(KernelThreads.Word.ASLEEP, 42), kernel.of("main"));
        assertEquals(new KernelThreads.View(KernelThreads.Word.ASLEEP, 7), kernel.of("worker"));
        assertEquals(KernelThreads.Word.UNKNOWN, kernel.of("renamed-later").word());
    }

    private static KernelThreads.Task task(int tid, char state, long runs) {
        return new KernelThreads.Task(tid, state, runs, 0, 0);
    }
}
