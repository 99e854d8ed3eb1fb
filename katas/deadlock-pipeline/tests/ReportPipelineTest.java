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
    /** The largest buffer between the reader and the formatter that the story allows. */
    private static final int BUFFER_LIMIT = 10_000;
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
     * The first row takes its time while the reader is free to run ahead: a bounded hand-off holds
     * the reader back once its buffer is full; an unbounded one lets it read the whole export into
     * memory before that row is done. BUFFER_LIMIT is what the story allows.
     */
    @Test
    @Order(8)
    void aSlowRowHoldsTheReaderBackInsteadOfReadingTheExportIntoMemory() throws Exception {
        Run run = new Run(BUFFER_LIMIT + 2_000);
        run.slowFirstRow = true;
        List<String> rows = run.collect();
        if (run.readAhead != null) {
            throw Pitfalls.resourceLeak(run.readAhead);
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

    /**
     * Every clause on every path, drawn from the kata's dimensions by a seeded generator: one or three
     * callers of one shared pipeline at once (reused after failures and interrupts); exports of 0, 1, 2,
     * a few or more than 1,024 lines, some equal to any end marker a fix might pick (empty, blank,
     * "EOF", "null", "\u0000"...) and repeated; the export failing (unchecked exception or Error, from
     * next() or hasNext(), on the first, a middle or the last line, or when asked for more after the
     * last); the formatter failing on the Nth row; the caller interrupted while it waits; past such a
     * failure, an export whose interrupted read throws an exception of its own. After every
     * scenario: the report is this call's own and whole, or the call threw the right failure; and
     * every thread that read the export or formatted a row has ended.
     */
    @Test
    @Order(7)
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void holdsEveryClauseOnGeneratedScenarios() throws Exception {
        long seed = Long.getLong("kata.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        ReportPipeline shared = new ReportPipeline(Scenario::format);
        for (int round = 0; round < 40; round++) {
            int callers = round % 3 == 2 ? 3 : 1;
            List<Scenario> scenarios = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                // Round 4 reads a long export with every marker in it to the end. Rounds 5 and 6 begin with
                // a long export whose interrupted reads throw, past a failed row or an interrupted caller:
                // the reader is then surely reading when the consumer leaves. Rounds 7 to 9 begin with a long
                // export that fails, or a row that fails to format, with an Error and with an exception:
                // every run holds each kind of failure, whatever the seed draws. Round 10: a row that fails as the
                // caller is interrupted.
                Scenario.Outcome forced = c > 0 ? null : round == 4 ? Scenario.Outcome.WHOLE
                        : round == 5 ? Scenario.Outcome.FORMAT_FAILS
                        : round == 6 ? Scenario.Outcome.CALLER_INTERRUPTED
                        : round == 7 || round == 8 ? Scenario.Outcome.EXPORT_FAILS
                        : round == 9 || round == 10 ? Scenario.Outcome.FORMAT_FAILS : null;
                Boolean asError = forced == null || forced == Scenario.Outcome.CALLER_INTERRUPTED
                        || forced == Scenario.Outcome.WHOLE || round == 10 ? null : round == 5 || round == 7;
                Scenario sc = Scenario.draw(random, round * 10 + c, round < 5 ? round : forced != null ? 4 : -1, forced,
                        asError);
                if (round == 10 && c == 0 && sc.outcome == Scenario.Outcome.FORMAT_FAILS) {
                    // Round 10: a row fails and the caller is interrupted at that moment, while the reader is
                    // in a read that goes on when interrupted: collect must still wait for the reader.
                    sc.interruptToo = true;
                    sc.interruptFails = false;
                    sc.holdReadUntilCallerLeft = true;
                }
                scenarios.add(sc);
            }
            String replay = "(seed " + seed + ", round " + round + ": " + scenarios + ")";
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(callers);
            List<Thread> threads = new ArrayList<>();
            for (Scenario sc : scenarios) {
                Thread t = new Thread(() -> sc.run(shared, start), "report-caller-" + sc.id);
                sc.caller = t;
                threads.add(t);
            }
            threads.forEach(Thread::start);
            for (Scenario sc : scenarios) {
                sc.caller.join(PATIENCE_MS * 2);
                if (sc.caller.isAlive()) {
                    String where = Scenario.topFrame(sc.caller);
                    threads.forEach(Thread::interrupt);
                    fail("collect had not returned " + PATIENCE_MS * 2 + " ms after it was called, in scenario "
                            + sc + " " + replay + ". The calling thread was at " + where + (sc.interruptFails
                            ? ". In this scenario the export answers an interrupt with an exception of its own, the"
                            + " interrupt flag cleared: a reader stopped with one interrupt may then try to hand that"
                            + " failure over, with nobody left to take it" : ""));
                }
            }
            for (Scenario sc : scenarios) {
                sc.verify(replay);
            }
        }
    }

    /** One call of collect drawn by the generator, and what it saw. */
    static final class Scenario {
        /** Lines any end marker a fix might pick is equal to: common guesses, and every string in the learner's code. */
        static final String[] MARKERS = markers("", " ", "EOF", "END", "null", "\u0000", "__END__", "<EOF>", "DONE", "-1");
        static final java.util.Map<String, Scenario> BY_ID = new java.util.concurrent.ConcurrentHashMap<>();

        enum Outcome { WHOLE, EXPORT_FAILS, FORMAT_FAILS, CALLER_INTERRUPTED }

        final String id;
        final List<String> lines = new ArrayList<>();
        final List<Boolean> raw = new ArrayList<>();
        Outcome outcome = Outcome.WHOLE;
        int at = -1;                    // the 0-based line where the failure or interrupt happens
        boolean inHasNext;              // the export fails in hasNext() instead of next()
        boolean interruptFails;         // past the failure, an interrupted read throws (and clears the flag)
        boolean interruptToo;           // FORMAT_FAILS: the caller is interrupted as the row fails
        /** Round 10: the read in progress when the row fails ends only once collect has returned (or a while later). */
        boolean holdReadUntilCallerLeft;
        final CountDownLatch callerLeft = new CountDownLatch(1);
        volatile boolean failed;        // the failure was thrown, or the caller interrupted, as the scenario says
        Throwable failure;
        volatile Thread caller;
        final java.util.Set<Thread> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.Set<Thread> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile List<String> rows;
        volatile Throwable thrown;
        /** Whether the caller's interrupt status was set when collect threw. */
        volatile boolean interruptKept;
        /** Calls into the export in progress, and how many were in progress when collect returned. */
        final AtomicInteger inExport = new AtomicInteger();
        volatile int inExportAtReturn;

        Scenario(String id) {
            this.id = id;
        }

        private static String[] markers(String... guesses) {
            return dev.kata.probe.api.LearnerCode.markerTexts(ReportPipeline.class, Integer.MAX_VALUE, guesses)
                    .toArray(String[]::new);
        }

        static Scenario draw(java.util.Random r, int n, int fixedLength, Outcome forced, Boolean asError) {
            Scenario sc = new Scenario("s" + n);
            int[] lengths = {0, 1, 2, 5, 1_100};
            int length = fixedLength >= 0 ? lengths[fixedLength] : lengths[r.nextInt(lengths.length)];
            List<Integer> tagged = new ArrayList<>();
            // The long exports of the fixed rounds hold every marker, on every other line from the second.
            boolean everyMarker = fixedLength == 4;
            for (int i = 0; i < length; i++) {
                int kind = r.nextInt(4);
                if (everyMarker && i % 2 == 1 && i / 2 < MARKERS.length && i < length - 1) {
                    sc.lines.add(MARKERS[i / 2]);
                    sc.raw.add(true);
                    continue;
                }
                boolean marker = kind == 0 && i > 0 && i < length - 1 || length == 1 && kind == 0;
                sc.lines.add(marker ? MARKERS[r.nextInt(MARKERS.length)]
                        : kind == 1 && i > 0 ? sc.lines.get(i - 1) : "P-" + r.nextInt(1_000) + "|day " + (i % 28 + 1));
                sc.raw.add(marker);
                if (!marker) {
                    tagged.add(i);
                }
            }
            Outcome[] outcomes = Outcome.values();
            sc.outcome = forced != null ? forced : outcomes[r.nextInt(outcomes.length)];
            if (sc.outcome == Outcome.EXPORT_FAILS) {
                int[] where = {0, length / 2, length - 1, length};
                sc.at = Math.max(0, where[r.nextInt(where.length)]);
                sc.inHasNext = sc.at == length || r.nextBoolean();
                sc.failure = !(asError != null ? asError : r.nextBoolean())
                        ? new UncheckedIOException("export of " + sc.id + " reset", new IOException("connection reset"))
                        : new AssertionError("export of " + sc.id + " broke (an Error)");
            } else if (tagged.isEmpty() || sc.outcome == Outcome.CALLER_INTERRUPTED && tagged.get(0) >= length - 2) {
                sc.outcome = Outcome.WHOLE;
            } else if (sc.outcome == Outcome.FORMAT_FAILS) {
                sc.at = tagged.get(r.nextInt(tagged.size()));
                sc.failure = !(asError != null ? asError : r.nextBoolean()) ? new IllegalStateException("row of " + sc.id + " cannot be formatted")
                        : new StackOverflowError("formatting a row of " + sc.id + " (an Error)");
                sc.interruptToo = forced == null && r.nextInt(3) == 0;
            } else if (sc.outcome == Outcome.CALLER_INTERRUPTED) {
                do {
                    sc.at = tagged.get(r.nextInt(tagged.size()));
                } while (sc.at >= length - 2);
            }
            sc.interruptFails = sc.at >= 0 && sc.outcome != Outcome.EXPORT_FAILS && (forced != null || r.nextBoolean());
            if (forced != null && sc.at > length / 2) {
                sc.at = tagged.stream().filter(i -> i < length / 2).findFirst().orElse(sc.at); // many lines still to read
            }
            return sc;
        }

        /** The shared formatter: "[id#index|line]"; it fails or interrupts the caller where its scenario says. */
        static String format(String tagged) {
            int bar = tagged.indexOf('|');
            int hash = tagged.indexOf('#');
            Scenario sc = hash < 0 || bar < hash ? null : BY_ID.get(tagged.substring(0, hash));
            if (sc == null) {
                return "[" + tagged + "]"; // a line equal to a marker: it carries no tag
            }
            int i = Integer.parseInt(tagged.substring(hash + 1, bar));
            sc.workers.add(Thread.currentThread());
            if (i == sc.at && sc.outcome == Outcome.FORMAT_FAILS) {
                sc.failed = true;
                if (sc.interruptToo) {
                    sc.awaitAReadInProgress();
                    sc.caller.interrupt();
                }
                sneakyThrow(sc.failure);
            }
            if (i == sc.at && sc.outcome == Outcome.CALLER_INTERRUPTED) {
                sc.failed = true;
                sc.caller.interrupt();
            }
            return "[" + tagged + "]";
        }

        /**
         * Before the row fails and the caller is interrupted: waits (a while at most) until the reader is
         * inside a read of a later line, which goes on when interrupted. So a collect that leaves without
         * waiting for the reader leaves in the middle of that read, on every run, not only when the reader
         * happens to be there.
         */
        void awaitAReadInProgress() {
            if (at >= lines.size() - 1) {
                return; // no later line to read
            }
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(dev.kata.probe.api.Patience.millis(200, 1000));
            while (inExport.get() == 0 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }

        /** The line the export hands out: marker-equal lines as they are, the others tagged with call and index. */
        String tag(int i) {
            return raw.get(i) ? lines.get(i) : id + "#" + i + "|" + lines.get(i);
        }

        void run(ReportPipeline pipeline, java.util.concurrent.CyclicBarrier start) {
            BY_ID.put(id, this);
            try {
                start.await();
                rows = pipeline.collect(new Iterator<String>() {
                    int next;

                    @Override
                    public boolean hasNext() {
                        workers.add(Thread.currentThread());
                        readers.add(Thread.currentThread());
                        if (outcome == Outcome.EXPORT_FAILS && inHasNext && next == at) {
                            failed = true;
                            sneakyThrow(failure);
                        }
                        return next < lines.size();
                    }

                    @Override
                    public String next() {
                        inExport.incrementAndGet();
                        try {
                            return nextLine();
                        } finally {
                            inExport.decrementAndGet();
                        }
                    }

                    private String nextLine() {
                        workers.add(Thread.currentThread());
                        readers.add(Thread.currentThread());
                        if (at >= 0 && next > at && (outcome == Outcome.FORMAT_FAILS
                                || outcome == Outcome.CALLER_INTERRUPTED)) {
                            readSlowly(interruptFails); // past the failure, each line takes a while, like a network read
                            if (holdReadUntilCallerLeft && failed) {
                                awaitCallerLeft();
                            }
                        }
                        if (outcome == Outcome.EXPORT_FAILS && !inHasNext && next == at) {
                            failed = true;
                            sneakyThrow(failure);
                        }
                        if (next >= lines.size()) {
                            throw new NoSuchElementException("the export of " + id + " has only " + lines.size() + " lines");
                        }
                        return tag(next++);
                    }
                });
            } catch (Throwable t) {
                interruptKept = Thread.currentThread().isInterrupted();
                thrown = t;
            } finally {
                inExportAtReturn = inExport.get();
                callerLeft.countDown();
                Thread.interrupted();
            }
        }

        /** A read that goes on, interrupted or not, until collect has returned, or a while at most. */
        private void awaitCallerLeft() {
            if (dev.kata.probe.api.Uninterruptible.await(callerLeft, dev.kata.probe.api.Patience.millis(150, 2000))) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * 15 ms that an interrupt does not cut short (it is kept for the caller to see); or, when
         * {@code interruptFails}, a read that an interrupt ends with an exception of its own, the flag
         * cleared, as many I/O libraries do (an InterruptedIOException inside an unchecked one).
         */
        private static void readSlowly(boolean interruptFails) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(15);
            boolean interrupted = false;
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
                } catch (InterruptedException e) {
                    if (interruptFails) {
                        throw new UncheckedIOException("reading the export", new java.io.InterruptedIOException(
                                "the read was interrupted"));
                    }
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void verify(String replay) throws InterruptedException {
            String what = "scenario " + this + " " + replay;
            if (outcome != Outcome.WHOLE && !failed) {
                String event = switch (outcome) {
                    case EXPORT_FAILS -> "the export's failure at line " + (at + 1);
                    case FORMAT_FAILS -> "the formatter's failure at row " + (at + 1);
                    default -> "the caller's interrupt at row " + (at + 1);
                };
                if (thrown != null) {
                    fail("collect threw " + thrown + " before " + event + " was reached, in " + what, thrown);
                }
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    expected.add("[" + tag(i) + "]");
                }
                fail(describeRows(expected, rows) + ", and " + event + " was never reached, in " + what + ". "
                        + whyRowsDiffer(expected, rows));
            }
            switch (outcome) {
                case WHOLE -> {
                    if (thrown != null) {
                        fail("collect threw " + thrown + " on an export that read and formatted without fault, in "
                                + what, thrown);
                    }
                    List<String> expected = new ArrayList<>();
                    for (int i = 0; i < lines.size(); i++) {
                        expected.add("[" + tag(i) + "]");
                    }
                    if (rows == null || !expected.equals(new ArrayList<>(rows))) {
                        fail(describeRows(expected, rows) + ", in " + what + ". " + whyRowsDiffer(expected, rows));
                    }
                }
                case EXPORT_FAILS, FORMAT_FAILS -> {
                    String who = outcome == Outcome.EXPORT_FAILS ? "reading the export" : "formatting a row";
                    if (thrown == null) {
                        fail(who + " failed (" + failure + ") but collect returned "
                                + (rows == null ? "null" : rows.size() + " rows") + " instead of throwing that failure, in "
                                + what);
                    }
                    if (!causedBy(thrown, failure) && !(interruptToo && thrown instanceof InterruptedException)) {
                        fail(who + " failed (" + failure + ") and collect threw " + thrown
                                + " instead; pass that failure on (as it is, or as the cause of yours), in " + what, thrown);
                    }
                    if (interruptToo && !(thrown instanceof InterruptedException) && !interruptKept) {
                        fail("the thread calling collect was interrupted as row " + (at + 1) + " failed to format, and"
                                + " collect threw that failure with the thread's interrupt status cleared, in " + what
                                + ". The caller no longer knows it was interrupted: when you throw something else,"
                                + " set the status again (Thread.currentThread().interrupt()).", thrown);
                    }
                }
                case CALLER_INTERRUPTED -> {
                    if (!(thrown instanceof InterruptedException)) {
                        fail("the thread calling collect was interrupted while it waited (at row " + (at + 1) + " of "
                                + lines.size() + "), and collect " + (thrown == null ? "returned "
                                + (rows == null ? "null" : rows.size() + " rows") : "threw " + thrown)
                                + " instead of throwing InterruptedException, in " + what, thrown);
                    }
                }
            }
            if (inExportAtReturn > 0) {
                fail("collect " + (thrown == null ? "returned" : "threw " + thrown) + " while its reader was still "
                        + "reading the export (a call to next() in progress), in " + what + ". However collect ends, "
                        + "it must stop the reader and wait for it to finish before it returns.");
            }
            for (Thread w : workers) {
                if (w == caller) {
                    continue;
                }
                w.join(PATIENCE_MS / 2);
                if (w.isAlive()) {
                    fail("collect " + (thrown == null ? "returned" : "threw " + thrown) + ", but thread '" + w.getName()
                            + "'" + (w.isVirtual() ? " (virtual)" : "") + ", which " + (workedOnExport(w) ? "read the export"
                            : "formatted rows") + " for that call, was still alive " + PATIENCE_MS / 2 + " ms later, "
                            + w.getState() + " at " + topFrame(w) + ", in " + what
                            + ". However collect ends (done, failed or interrupted), it must stop and wait for the "
                            + "threads it started.");
                }
            }
            BY_ID.remove(id);
        }

        private boolean workedOnExport(Thread w) {
            return readers.contains(w);
        }

        static String topFrame(Thread t) {
            StackTraceElement[] st = t.getStackTrace();
            for (StackTraceElement e : st) {
                if (e.getClassName().startsWith("deadlockpipeline.ReportPipeline") && !e.getClassName().contains("Test")) {
                    return e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1) + "." + e.getMethodName()
                            + "(" + e.getFileName() + ":" + e.getLineNumber() + ")";
                }
            }
            return st.length > 0 ? st[0].toString() : "(no stack)";
        }

        /** Advice that fits what the rows show: another call's row, a lost marker-equal line, or neither. */
        private String whyRowsDiffer(List<String> expected, List<String> rows) {
            List<String> got = rows == null ? List.of() : new ArrayList<>(rows);
            for (String row : got) {
                if (row != null && row.matches("\\[s\\d+#\\d+\\|.*") && !row.startsWith("[" + id + "#")) {
                    return "The report holds row " + row + ", which belongs to another call of collect running at the "
                            + "same time on the same pipeline: each call needs its own hand-off and its own rows.";
                }
            }
            int same = 0;
            while (same < got.size() && same < expected.size() && expected.get(same).equals(got.get(same))) {
                same++;
            }
            if (same == got.size() && same < expected.size() && raw.get(same)) {
                return "The first missing line is \"" + visible(lines.get(same)) + "\", a value a fix might pick as its end "
                        + "marker: a line may hold anything, so the end of the export must be a message no line can be.";
            }
            return "Every line of the export must come out as a row, once and in export order.";
        }

        private static String describeRows(List<String> expected, List<String> rows) {
            if (rows == null) {
                return "collect returned null instead of the report";
            }
            List<String> got = new ArrayList<>(rows);
            int same = 0;
            while (same < got.size() && same < expected.size() && expected.get(same).equals(got.get(same))) {
                same++;
            }
            if (same == got.size()) {
                return String.format("collect returned %,d of the %,d rows; the first missing one is %s", got.size(),
                        expected.size(), visible(expected.get(same)));
            }
            return String.format("row %,d of %,d should be %s but is %s (%,d rows returned)", same + 1, expected.size(),
                    same < expected.size() ? expected.get(same) : "(none: the export has no more lines)", got.get(same),
                    got.size());
        }

        @Override
        public String toString() {
            String count = lines.size() + (lines.size() == 1 ? " line" : " lines");
            String data = lines.size() > 6 ? count : count + " " + quoted();
            return id + ": " + data + switch (outcome) {
                case WHOLE -> "";
                case EXPORT_FAILS -> ", the export throws " + failure.getClass().getSimpleName() + " from "
                        + (inHasNext ? "hasNext()" : "next()") + " when asked for line " + (at + 1);
                case FORMAT_FAILS -> ", the formatter throws " + failure.getClass().getSimpleName() + " on row " + (at + 1)
                        + (interruptToo ? ", the caller interrupted at that moment" : "");
                case CALLER_INTERRUPTED -> ", the caller is interrupted while row " + (at + 1) + " is formatted";
            } + (interruptFails ? ", and from then on a read that is interrupted throws UncheckedIOException" : "");
        }

        private String quoted() {
            StringBuilder b = new StringBuilder("[");
            for (String l : lines) {
                b.append(b.length() > 1 ? ", " : "").append('"').append(visible(l)).append('"');
            }
            return b.append(']').toString();
        }

        /** A line as the learner would write it in Java: control characters escaped. */
        static String visible(String line) {
            StringBuilder b = new StringBuilder();
            line.chars().forEach(c -> b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c)));
            return b.toString();
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
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
        /** Format the first row only once the reader waits for room (or has read the whole export). */
        boolean slowFirstRow;

        // Findings.
        volatile String stalled;
        volatile String sequential;
        volatile String readAhead;
        /** The thread that last asked the export for a line. */
        volatile Thread readerThread;
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
            if (slowFirstRow && k == 0) {
                awaitReaderHeldBack(me);
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

        /** Waits, while formatting the first row, until the reader waits too, or has read the whole export. */
        private void awaitReaderHeldBack(Thread me) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
            int streak = 0;
            while (System.nanoTime() < deadline) {
                Thread reader = readerThread;
                if (reader == me) {
                    return; // one thread reads and formats: another test says so
                }
                if (requested.get() >= total) {
                    readAhead = String.format("while the first row was being formatted, collect read all %,d lines"
                            + " of the export: the reader ran ahead with nothing to hold it back. The real export"
                            + " runs to millions of lines, too many for memory: the hand-off must make the reader"
                            + " wait while formatting is behind (a buffer of up to %,d lines is fine).", total,
                            BUFFER_LIMIT);
                    return;
                }
                streak = reader != null && Idle.ANY_WAIT.matches(reader.getState()) ? streak + 1 : 0;
                if (streak >= 3) {
                    return;
                }
                LockSupport.parkNanos(1_000_000);
            }
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
                readerThread = Thread.currentThread();
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
