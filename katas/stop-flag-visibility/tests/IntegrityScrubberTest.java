package stopflagvisibility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/*
 * The test JVM of this kata runs with the optimising JIT compiler (C2), compiling the kata's
 * methods synchronously and early (see jvm_args in kata.toml). By the time the scrubber has
 * done WARM_PASSES passes, its loop runs as C2 machine code: exactly the code a long-running
 * service runs, and the code in which a plain field read can be hoisted out of the loop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IntegrityScrubberTest {

    /** Passes after which the scrub loop is surely running as optimised machine code. */
    private static final long WARM_PASSES = 200_000;
    /** How long a stopped scrubber may take to end: a pass takes microseconds. */
    private static final long STOP_WITHIN_MS = 500;

    @Test
    @Order(1)
    @DisplayName("a scrubber that has been running for a while stops when asked")
    void stopsAfterRunningForAWhile() throws Exception {
        IntegrityScrubber scrubber = new IntegrityScrubber(index(64));
        scrubber.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (scrubber.passes() < WARM_PASSES && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        long passesAtStop = scrubber.passes();
        if (passesAtStop == 0) {
            scrubber.stop();
            scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS);
            fail("the health page saw no scrubber pass at all in 1.5 s after start(): either the scrubber"
                    + " does not run, or its pass count is not visible to other threads");
        }

        scrubber.stop();
        if (!scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS)) {
            long later = scrubber.passes();
            throw Pitfalls.leak(String.format(
                    "stop() set running = false after %,d passes, but %d ms later the integrity-scrubber thread"
                            + " is still scrubbing (%s). The scrubber thread never saw the write. running is a"
                            + " plain field: nothing in the loop forces the thread to read it from memory again,"
                            + " so once the loop was compiled, the JIT read it once and kept the value (it may:"
                            + " the Java memory model gives no guarantee that one thread ever sees another's"
                            + " plain write). The thread will spin until the JVM exits, burning a core. Make the"
                            + " write visible: a volatile or atomic flag, or interrupt the thread and check"
                            + " its interrupt status.",
                    passesAtStop, STOP_WITHIN_MS,
                    later > passesAtStop ? String.format("%,d passes now", later) : "its pass count no longer moves"));
        }
        assertEquals(0, scrubber.mismatches(), "the index was never changed, so no pass may find a mismatch");
    }

    @Test
    @Order(2)
    @DisplayName("a scrubber stopped right after it started stops too")
    void stopsRightAfterStart() throws Exception {
        for (int i = 0; i < 20; i++) {
            IntegrityScrubber scrubber = new IntegrityScrubber(index(16));
            scrubber.start();
            scrubber.stop();
            if (!scrubber.awaitTermination(STOP_WITHIN_MS, TimeUnit.MILLISECONDS)) {
                throw Pitfalls.leak("a scrubber stopped right after start() was still running " + STOP_WITHIN_MS
                        + " ms later (round " + (i + 1) + "). Either the scrubber thread never saw the flag"
                        + " change (a plain field), or the stop request was lost: a thread that sets the flag"
                        + " to true itself, after stop() had already cleared it, runs forever. Set the flag in"
                        + " start(), before the thread starts, and make its writes visible.");
            }
            assertEquals(0, scrubber.mismatches(), "the index was never changed");
        }
    }

    private static long[] index(int words) {
        long[] index = new long[words];
        for (int i = 0; i < words; i++) {
            index[i] = 0x9E3779B97F4A7C15L * (i + 1);
        }
        return index;
    }
}
