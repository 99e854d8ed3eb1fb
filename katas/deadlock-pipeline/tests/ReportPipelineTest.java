package deadlockpipeline;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hidden tests for the diary-report pipeline.
 *
 * <p>Every test feeds {@code collect} an export of unknown length: an {@link Iterator} that makes
 * its lines on demand, so no buffer sized in advance or at run time can hold "all of it". The
 * export and the row formatter are test doubles that watch the pipeline from inside: which
 * thread formats, how far reading runs ahead of formatting, and whether the consumer sits idle
 * waiting for more. All their waits are timed, so they never look like a deadlock themselves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportPipelineTest {

    /** Lines the reader may run ahead of the formatter before the test asks why. */
    private static final int LOOK_AHEAD = 1_500;
    /** How long the export holds back its tail in the slow-export test, at most. */
    private static final long TAIL_PAUSE_MS = 2_500;
    /** How long a test double waits for something that a working pipeline does at once. */
    private static final long PATIENCE_MS = 1_000;
    /** How long a test double waits for some other thread to start formatting before it stops waiting. */
    private static final long NOBODY_MS = 200;

    /**
     * The pitfall itself: three lines through the pipeline. The starter parks the test thread in
     * SynchronousQueue.put with no other thread alive, which the grader reports as a deadlock at
     * once; so does a consumer that waits for a line after the reader has ended.
     */
    @Test
    @Order(1)
    void collectsASmallReport() throws Exception {
        Run run = new Run(3);
        run.checkRows(run.collect(), "The pipeline dropped them: every line of the export must come out as a row.");

        Run empty = new Run(0);
        List<String> rows = empty.collect();
        if (rows == null || !rows.isEmpty()) {
            fail("an empty export must give an empty report, but collect returned " + rows);
        }
    }

    /**
     * Order and completeness on an export longer than any buffer a learner picks (1,024 fills and
     * deadlocks); a buffer big enough for it means the export piles up unformatted: caught by the
     * look-ahead bound, whatever the buffer's size or however it was chosen.
     */
    @Test
    @Order(2)
    void keepsEveryLineInOrderOnALargeExport() throws Exception {
        Run run = new Run(3_000);
        run.lookAhead = LOOK_AHEAD;
        List<String> rows = run.collect();
        if (run.stalled != null) {
            throw Pitfalls.resourceLeak(run.stalled);
        }
        run.checkRows(rows, "The pipeline dropped them: every line of the export must come out as a row.");
    }

    /** The stages overlap: dropping the hand-off and reading and formatting in turn is not a pipeline. */
    @Test
    @Order(3)
    void readsTheNextLineWhileFormattingThisOne() throws Exception {
        Run run = new Run(100);
        run.requireOverlap = true;
        List<String> rows = run.collect();
        if (run.sequential != null) {
            fail(run.sequential);
        }
        run.checkRows(rows, "The pipeline dropped them: every line of the export must come out as a row.");
    }

    /**
     * The export pauses before its last lines until the consumer waits for more with no timeout, so a
     * consumer that stops on a poll timeout returns without the tail, whatever its timeout up to
     * TAIL_PAUSE_MS; a consumer waiting for the end-of-stream signal ends the pause at once.
     */
    @Test
    @Order(4)
    @Timeout(value = 6, unit = TimeUnit.SECONDS)
    void waitsForTheEndOfTheExportNotForAQuietMoment() throws Exception {
        Run run = new Run(50);
        run.slowTail = 3;
        List<String> rows = run.collect();
        run.checkRows(rows, () -> "The export went quiet before its last " + run.slowTail + " lines, as a "
                + "slow export does, and collect handed the report back " + run.millisIntoTailPause()
                + " ms into that pause: the consumer took a quiet moment for the end of the export. "
                + "A slow export is not a finished one. Only the reader knows when the export has ended, "
                + "so it must say so (an end-of-stream marker), and the consumer must wait for that "
                + "signal however long the export pauses.");
    }

    /** A consumer running in its own thread must be waited for before its rows are returned. */
    @Test
    @Order(5)
    void returnsOnlyOnceTheLastRowIsIn() throws Exception {
        Run run = new Run(50);
        run.endLate = false;
        run.holdLastRow = true;
        List<String> rows = run.collect();
        run.checkRows(rows, () -> "collect handed the report back while its consumer" + run.consumerName()
                + " was still formatting rows: the caller read the rows before the consumer had finished "
                + "them. Wait for the consumer to finish (join its thread, or get its Future) before "
                + "returning the rows.");
    }

    /** The stream must end on failure too (no consumer left waiting), and the failure must reach the caller. */
    @Test
    @Order(6)
    void aBrokenExportFailsTheReport() throws Exception {
        Run run = new Run(10);
        run.failAtLine = 4;
        List<String> rows = null;
        Throwable thrown = null;
        try {
            rows = run.collect();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail("the export broke while reading line 4 (" + run.failure.getMessage() + "), but collect returned "
                    + (rows == null ? "null" : rows.size() + " rows") + " as if the report were complete. "
                    + "A half report must not pass for a whole one: when reading the export fails, the "
                    + "reader must still end the stream, and pass the failure on so that collect throws it.");
        }
        if (!causedBy(thrown, run.failure)) {
            fail("the export broke while reading line 4 (" + run.failure.getMessage() + "), and collect threw "
                    + thrown + " instead of that failure. Pass the export's own exception on to the caller "
                    + "(as it is, or as the cause of yours), so that the report says why it failed.", thrown);
        }
    }

    private static boolean causedBy(Throwable thrown, Throwable cause) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t == cause) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The i-th diary entry of an export (0-based): it starts with its index. */
    static String entry(int i) {
        return pad(i, 6) + "|P-" + pad(i % 997, 3) + "|day " + (i % 28 + 1) + "|pain " + (i % 11);
    }

    static String pad(int n, int width) {
        String s = Integer.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    /** The report row the test's formatter makes of a line. */
    static String row(String line) {
        return "[" + line + "]";
    }

    /**
     * One call of {@code collect}: the export it reads, the formatter it uses, and what they saw.
     * Create it on the test thread, which is the thread that calls {@code collect}.
     */
    static final class Run {
        final int total;
        final Thread caller = Thread.currentThread();
        final CountDownLatch returned = new CountDownLatch(1);
        /** Counted down once the test has taken its copy of the rows collect returned. */
        final CountDownLatch checked = new CountDownLatch(1);
        /** next() calls begun: line i has been asked for once this is above i. */
        final AtomicInteger requested = new AtomicInteger();
        final AtomicInteger formatted = new AtomicInteger();
        final RuntimeException failure = new UncheckedIOException("the trial's data export reset the connection",
                new IOException("connection reset by peer"));
        volatile Thread formatterThread;
        volatile boolean endRequested;
        volatile boolean broken;

        // Behaviours, set before collect().
        /**
         * Like a network stream, the export tells its end only a moment after its last line: once
         * the last row is formatted and the consumer sits idle. A consumer that works out the end
         * for itself (say, "while the reader thread is alive") instead of being told then waits
         * for a line that never comes, on every run.
         */
        boolean endLate = true;
        /** Hold back the last this-many lines until the consumer waits with no timeout. */
        int slowTail;
        /** If above 0: check that reading never runs this far ahead of formatting for long. */
        int lookAhead;
        /** Check that a line is formatted while the next one is being read. */
        boolean requireOverlap;
        /** Format the last line only once the caller waits for the result (or has returned). */
        boolean holdLastRow;
        /** The 1-based line whose reading fails; 0: none fails. */
        int failAtLine;

        // Findings.
        volatile String stalled;
        volatile String sequential;
        volatile long tailPauseStart;
        volatile long returnedAt;

        Run(int total) {
            this.total = total;
        }

        List<String> collect() throws InterruptedException {
            try {
                return new ReportPipeline(this::format).collect(new Export());
            } finally {
                returnedAt = System.nanoTime();
                returned.countDown();
            }
        }

        long millisIntoTailPause() {
            long start = tailPauseStart;
            return start == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(returnedAt - start);
        }

        String consumerName() {
            Thread t = formatterThread;
            return t == null || t == caller ? "" : " (thread '" + t.getName() + "'" + (t.isVirtual() ? ", virtual" : "") + ")";
        }

        /** Checks the report: one row per line, in export order; explains lost rows with {@code whyLost}. */
        void checkRows(List<String> rows, String whyLost) {
            checkRows(rows, () -> whyLost);
        }

        void checkRows(List<String> rows, Supplier<String> whyLost) {
            if (rows == null) {
                fail("collect returned null instead of the report");
            }
            List<String> got = new ArrayList<>(rows); // a snapshot: a stray consumer may still be adding
            checked.countDown();
            int same = 0;
            while (same < got.size() && same < total && row(entry(same)).equals(got.get(same))) {
                same++;
            }
            if (same == got.size() && same < total) {
                throw Pitfalls.lostWork(String.format(
                        "collect returned %,d of the %,d rows: the rows for entries %06d to %06d are missing. %s",
                        same, total, same, total - 1, whyLost.get()));
            }
            if (same < got.size() && same < total) {
                String at = got.get(same);
                int from = indexOf(at == null ? null : at.startsWith("[") ? at.substring(1) : at);
                fail(String.format("row %d of the report should be %s but is %s%s. The report must keep the "
                        + "export's order and hold every line exactly once.", same + 1, row(entry(same)), at,
                        from >= 0 ? " (the row for entry " + String.format("%06d", from) + ")" : ""));
            }
            if (got.size() > total) {
                fail(String.format("the export has %,d lines but collect returned %,d rows; the first extra row "
                        + "is %s. Each line must come out exactly once.", total, got.size(), got.get(total)));
            }
        }

        /** The row formatter given to the pipeline. */
        String format(String line) {
            Thread me = Thread.currentThread();
            formatterThread = me;
            int k = indexOf(line);
            if (requireOverlap && sequential == null && k >= 0) {
                awaitNextRequested(k, me);
            }
            if (holdLastRow && k == total - 1 && me != caller) {
                // Take our time with the last row: a caller that waits for us will wait; one that
                // does not wait returns without it. Either way we know within a few milliseconds.
                boolean callerWaits = awaitIdle(() -> caller, Idle.ANY_WAIT, () -> true, PATIENCE_MS);
                if (!callerWaits && returned.getCount() == 0) {
                    // The caller did not wait: hold the row back until the test has seen the report.
                    try {
                        checked.await(PATIENCE_MS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            String row = line == null ? null : row(line);
            formatted.incrementAndGet();
            return row;
        }

        private void awaitNextRequested(int k, Thread me) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
            int spins = 0;
            while (requested.get() < k + 2 && !endRequested) {
                if (System.nanoTime() > deadline) {
                    sequential = String.format("formatting entry %06d waited %d ms for the export to be asked for "
                            + "the next line, and it never was: thread '%s' reads and formats one line after the "
                            + "other, so reading the export stops while a row is formatted. That is why the report "
                            + "is a pipeline: reading the (slow) export and formatting rows must happen at the "
                            + "same time, in two threads joined by the hand-off.", k, PATIENCE_MS, me.getName());
                    return;
                }
                if (++spins < 2_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
        }

        /**
         * Waits until {@code who} is parked in one of {@code states} while {@code ready} holds, seen on
         * three samples in a row; or until collect returns, or {@code capMs} passes, or {@code who}
         * stays unknown for {@link #NOBODY_MS} (no other thread formats: nobody to wait for). True if seen.
         */
        boolean awaitIdle(Supplier<Thread> who, Idle states, BooleanSupplier ready, long capMs) {
            long now = System.nanoTime();
            long deadline = now + TimeUnit.MILLISECONDS.toNanos(capMs);
            long nobodyUntil = now + TimeUnit.MILLISECONDS.toNanos(NOBODY_MS);
            int streak = 0;
            while (returned.getCount() > 0 && (now = System.nanoTime()) < deadline) {
                Thread t = who.get();
                if (t == null && now > nobodyUntil) {
                    return false;
                }
                boolean idle = t != null && t != Thread.currentThread() && ready.getAsBoolean()
                        && states.matches(t.getState());
                streak = idle ? streak + 1 : 0;
                if (streak >= 3) {
                    return true;
                }
                try {
                    returned.await(1, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }

        /** The export: lines made on demand, so its length is unknown to the pipeline. */
        final class Export implements Iterator<String> {
            @Override
            public boolean hasNext() {
                if (broken) {
                    throw failure;
                }
                if (requested.get() < total) {
                    return true;
                }
                if (!endRequested) {
                    endRequested = true;
                    if (endLate && total > 0 && stalled == null && formatterThread != Thread.currentThread()) {
                        awaitIdle(() -> formatterThread, Idle.ANY_WAIT, () -> formatted.get() >= total,
                                PATIENCE_MS);
                    }
                }
                return false;
            }

            @Override
            public String next() {
                if (broken) {
                    throw failure;
                }
                int i = requested.get();
                if (i >= total) {
                    throw new NoSuchElementException("the export has only " + total + " lines");
                }
                if (failAtLine == i + 1) {
                    broken = true;
                    throw failure;
                }
                requested.set(i + 1);
                if (slowTail > 0 && i == total - slowTail) {
                    holdBackTheTail(i);
                }
                if (lookAhead > 0 && stalled == null) {
                    keepWithinLookAhead(i);
                }
                return entry(i);
            }

            /**
             * The export goes quiet before its last lines. A consumer waiting for the end-of-stream
             * signal parks with no timeout: then the pause ends at once. A consumer polling with a
             * timeout stays in a timed wait: the pause lasts until it gives up (collect returns) or
             * {@link #TAIL_PAUSE_MS} passes, longer than any reasonable "the export must be done".
             */
            private void holdBackTheTail(int i) {
                tailPauseStart = System.nanoTime();
                Thread me = Thread.currentThread();
                awaitIdle(() -> formatterThread == me ? null : formatterThread, Idle.UNTIMED_WAIT,
                        () -> formatted.get() >= i, TAIL_PAUSE_MS);
            }

            /** Lets reading run ahead of formatting, but not forever while formatting makes no progress. */
            private void keepWithinLookAhead(int i) {
                while (i - formatted.get() >= lookAhead) {
                    int before = formatted.get();
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
                    while (formatted.get() == before && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(100_000);
                    }
                    if (formatted.get() == before) {
                        stalled = String.format("collect had read %,d lines of the export and formatted %,d rows, "
                                + "and no row was formatted for the next %d ms: the lines are piling up in memory "
                                + "while nothing formats them. The real export runs to millions of lines, so no "
                                + "buffer is big enough to hold it, whether sized in advance or at run time. The "
                                + "reader and the formatter must run at the same time, each line passing through "
                                + "as it comes.", i, before, PATIENCE_MS);
                        return;
                    }
                }
            }
        }
    }

    /** The line's index, read from its first six characters; -1 if it is not one of ours. */
    static int indexOf(String line) {
        if (line == null || line.length() < 7 || line.charAt(6) != '|') {
            return -1;
        }
        try {
            return Integer.parseInt(line.substring(0, 6));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Which thread states count as "sitting idle". */
    enum Idle {
        /** Parked with no timeout: only a hand-off (or an interrupt) can wake it. */
        UNTIMED_WAIT,
        /** Waiting in any way: parked, timed wait, or blocked on a monitor. */
        ANY_WAIT;

        boolean matches(Thread.State s) {
            return switch (this) {
                case UNTIMED_WAIT -> s == Thread.State.WAITING;
                case ANY_WAIT -> s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING
                        || s == Thread.State.BLOCKED;
            };
        }
    }
}
