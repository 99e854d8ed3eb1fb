package unclosedstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import unclosedstream.InvoiceExport.ExportFailedException;
import unclosedstream.InvoiceExport.Invoice;
import unclosedstream.InvoiceExport.Report;
import unclosedstream.InvoiceExport.Shard;

/**
 * Hidden tests for the unclosed-stream kata. The test thread runs the export itself, as the
 * month-end job would: if nobody ever ends the stream, it waits forever, and the grader reports
 * the deadlock. Shard doubles decide how many pages each shard has, when a page is handed out,
 * and which page fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InvoiceExportTest {

    /** Longest a shard double waits for the situation it is scripted to wait for (stretched on a busy machine). */
    private static final long GATE_MS = Patience.millis(1000, 5000);
    /** How long a shard still fetching when another fails takes to answer, unless its reader is interrupted. */
    private static final long STRAGGLER_MS = Patience.millis(150, 1500);
    /** Exports of anEmptyShardStartedFirstDoesNotEndTheExportForTheOthers. */
    private static final int ROUNDS_EMPTY_FIRST = 12;

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void theExportEndsOnceEveryShardHasBeenRead() throws Exception {
        ScriptedShard eu = new ScriptedShard("eu-1", 40, 40, 40);
        ScriptedShard us = new ScriptedShard("us-1", 50, 50);
        ScriptedShard ap = new ScriptedShard("ap-1", 10);
        RecordingReport report = new RecordingReport();

        String situation = "three shards read in parallel";
        int written = export(List.of(eu, us, ap), report, situation);

        expectEveryInvoice(written, report, situation, eu, us, ap);

        int none = InvoiceExport.exportAll(List.of(), new RecordingReport());
        assertEquals(0, none, "an export of no shard at all must write nothing and return 0");
    }

    @Test
    @Order(2)
    void everyInvoiceArrivesWhenTheShardsFinishAtDifferentTimes() throws Exception {
        Thread exporter = Thread.currentThread();
        AtomicBoolean returned = new AtomicBoolean();
        ScriptedShard us = new ScriptedShard("us-1", 5, 5);
        ScriptedShard eu = new ScriptedShard("eu-1", 5);
        // us-1 is slow: its second page comes only once eu-1 has finished, and once the export
        // has read everything sent so far and is waiting for more (or has already returned).
        us.beforePage(1, () -> {
            long deadline = deadlineIn(GATE_MS);
            eu.awaitFinished(deadline);
            awaitIdleOrReturned(exporter, returned, deadline);
        });
        RecordingReport report = new RecordingReport();

        String situation = "eu-1 finished while us-1 was still reading its second page";
        int written;
        try {
            written = export(List.of(us, eu), report, situation);
        } finally {
            returned.set(true);
        }
        expectEveryInvoice(written, report, situation, us, eu);
    }

    /**
     * A shard with nothing to read, started first, is done at once, often before the next reader has
     * run a single line (timing noise pauses the exporting thread just after each start): a reader
     * that counts itself in only once it runs (Go's WaitGroup.Add inside the goroutine) then sees the
     * count fall to zero and closes the channel under the others.
     */
    @Test
    @Order(2)
    void anEmptyShardStartedFirstDoesNotEndTheExportForTheOthers() throws Exception {
        for (int round = 0; round < ROUNDS_EMPTY_FIRST; round++) {
            ScriptedShard empty = new ScriptedShard("eu-0");
            ScriptedShard us = new ScriptedShard("us-1", 3);
            ScriptedShard ap = new ScriptedShard("ap-1", 2);
            RecordingReport report = new RecordingReport();
            String situation = "round " + (round + 1) + " of " + ROUNDS_EMPTY_FIRST + ": shards eu-0 (no invoice, listed"
                    + " first), us-1 (3 invoices) and ap-1 (2)";
            // Each round on a thread of its own, as a fresh request would be.
            java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
            Thread exporter = Thread.ofPlatform().name("test-export-" + (round + 1)).start(() -> {
                try {
                    outcome.set(export(List.of(empty, us, ap), report, situation));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            exporter.join(GATE_MS);
            if (exporter.isAlive()) {
                StackTraceElement[] at = exporter.getStackTrace();
                exporter.interrupt();
                throw Pitfalls.timeout("exportAll had not returned " + GATE_MS + " ms after it was called (" + situation
                        + "). The calling thread was " + exporter.getState() + " at " + firstOwnFrame(at) + ".");
            }
            if (outcome.get() instanceof Throwable t) {
                if (t instanceof Error e) {
                    throw e;
                }
                throw (Exception) t;
            }
            expectEveryInvoice((Integer) outcome.get(), report, situation, empty, us, ap);
        }
    }

    @Test
    @Order(3)
    void aShardThatFailsStillEndsTheExport() throws Exception {
        ScriptedShard eu1 = new ScriptedShard("eu-1", 20, 20);
        ScriptedShard eu2 = new ScriptedShard("eu-2", 20, 20);
        IOException reset = new IOException("connection reset by the eu-2 database");
        eu2.failOnPage(1, reset);
        // eu-1 is still fetching its second page when eu-2 fails, a fetch that ends if its thread is
        // interrupted (a reader told to stop); otherwise it answers a moment later. eu-2 fails only
        // once eu-1 is in that fetch, so that eu-1 never learns of the failure between two sends.
        CountDownLatch eu1Fetching = new CountDownLatch(1);
        eu2.beforePage(1, () -> {
            try {
                eu1Fetching.await(GATE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        eu1.beforePage(1, () -> {
            eu1Fetching.countDown();
            try {
                eu2.finished.await(GATE_MS, TimeUnit.MILLISECONDS);
                Thread.sleep(STRAGGLER_MS);
            } catch (InterruptedException e) {
                sneakyThrow(new InterruptedException("eu-1's fetch of its second page was interrupted"));
            }
        });
        RecordingReport report = new RecordingReport();

        int written;
        try {
            written = InvoiceExport.exportAll(List.of(eu1, eu2), report);
        } catch (ExportFailedException e) {
            // the export ended, and said that it is incomplete: because of eu-2's failure
            if (e.getCause() == reset) {
                return;
            }
            if (causedBy(e, reset)) {
                fail("Shard eu-2 failed on its second page (" + describe(reset) + "); exportAll threw " + describe(e)
                        + ": its cause is another exception that wraps eu-2's failure. Give the ExportFailedException"
                        + " the shard's failure itself as its cause (a Future's get() wraps what the task threw in an"
                        + " ExecutionException; its getCause() is the failure).", e);
            }
            fail("Shard eu-2 failed on its second page (" + describe(reset) + "), while eu-1 was still fetching"
                    + " its own; exportAll threw " + describe(e) + ", not caused by eu-2's failure. The exception"
                    + " must name the failure that ended the export, not what happened to the other readers"
                    + " afterwards.", e);
            return;
        }
        throw Pitfalls.lostWork("Shard eu-2 failed on its second page (connection reset), yet "
                + "exportAll returned " + written + " as if the export were complete. Finance would "
                + "reconcile the month with 20 invoices of eu-2 missing and no one would know. The "
                + "stream must end when a reader fails, and the failure must reach the caller.");
    }

    /**
     * Every clause on every path, drawn by a seeded generator: one or two exports at once (every other round); 0, 1, 2, 5 or
     * 20 shards, which finish together (their last pages are handed out at the same moment) or apart;
     * shards with no invoice, one, or far more than the channel holds; a shard failing on its Nth page
     * with a checked or unchecked exception or an Error; the report failing on its Nth write (once with an
     * Error, while the readers still have more to send than the channel holds); the caller interrupted while
     * it exports. After every export: each invoice written exactly once, or the right
     * failure thrown; every reader thread ended.
     */
    @Test
    @Order(4)
    void holdsEveryClauseOnGeneratedScenarios() throws Exception {
        long seed = Long.getLong("kata.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        for (int round = 0; round < 21; round++) {
            int exports = round % 2 == 1 ? 2 : 1;
            List<GenExport> runs = new ArrayList<>();
            for (int e = 0; e < exports; e++) {
                runs.add(GenExport.draw(random, "r" + round + "x" + e, round));
            }
            String replay = "(seed " + seed + ", round " + round + ": " + runs + ")";
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(exports);
            for (GenExport run : runs) {
                run.thread = Thread.ofPlatform().name("test-export-" + run.id).start(() -> run.run(start));
            }
            for (GenExport run : runs) {
                run.thread.join(GATE_MS / 2);
                if (run.thread.isAlive()) {
                    StackTraceElement[] at = run.thread.getStackTrace();
                    runs.forEach(r -> r.thread.interrupt());
                    throw Pitfalls.timeout("exportAll had not returned " + GATE_MS / 2 + " ms after it was called, in "
                            + "export " + run + " " + replay + ". The calling thread was " + run.thread.getState()
                            + " at " + firstOwnFrame(at) + ".");
                }
            }
            for (GenExport run : runs) {
                run.verify(replay);
            }
        }
    }

    /**
     * The channel keeps its documented Go semantics: closing wakes every sender waiting for room (each
     * gets "send on closed channel") and every receiver waiting for an item (each gets the end); a second
     * close throws and leaves the channel usable by other threads.
     */
    @Test
    @Order(5)
    void theChannelKeepsGoSemantics() throws Exception {
        Channel<Integer> full = new Channel<>(1);
        full.send(0);
        List<Thread> senders = new ArrayList<>();
        Map<Thread, Throwable> sent = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < 3; i++) {
            senders.add(Thread.ofPlatform().name("sender-" + i).start(() -> {
                try {
                    full.send(1);
                    sent.put(Thread.currentThread(), new AssertionError("send returned"));
                } catch (Throwable t) {
                    sent.put(Thread.currentThread(), t);
                }
            }));
        }
        Channel<Integer> empty = new Channel<>(4);
        List<Thread> receivers = new ArrayList<>();
        Map<Thread, Object> received = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < 3; i++) {
            receivers.add(Thread.ofPlatform().name("receiver-" + i).start(() -> {
                try {
                    Integer item = empty.receive();
                    received.put(Thread.currentThread(), item == null ? "end" : item);
                } catch (Throwable t) {
                    received.put(Thread.currentThread(), t);
                }
            }));
        }
        for (Thread t : senders) {
            awaitStill(t, 2, deadlineIn(GATE_MS));
        }
        for (Thread t : receivers) {
            awaitStill(t, 2, deadlineIn(GATE_MS));
        }
        full.close();
        empty.close();
        long deadline = deadlineIn(GATE_MS);
        for (Thread t : senders) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive() || !(sent.get(t) instanceof IllegalStateException)) {
                t.interrupt();
                fail("Channel: three senders waited for room in a full channel, and it was closed; " + t.getName()
                        + (t.isAlive() ? " was still waiting " + GATE_MS + " ms later" : " got " + sent.get(t))
                        + ". Closing must wake every waiting sender, each with \"send on closed channel\".");
            }
        }
        for (Thread t : receivers) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive() || !"end".equals(received.get(t))) {
                t.interrupt();
                fail("Channel: three receivers waited on an empty channel, and it was closed; " + t.getName()
                        + (t.isAlive() ? " was still waiting " + GATE_MS + " ms later" : " got " + received.get(t))
                        + ". Closing must wake every waiting receiver, each with the end of the stream.");
            }
        }
        try {
            empty.close();
            fail("Channel: closing a closed channel must throw IllegalStateException, as in Go");
        } catch (IllegalStateException expected) {
            // close of closed channel
        }
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                empty.receive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.join(GATE_MS);
        if (other.isAlive()) {
            other.interrupt();
            fail("Channel: after a second close threw, another thread's receive on the channel waited "
                    + GATE_MS + " ms instead of getting the end at once: the failed close kept the channel's lock.");
        }
    }

    private static String firstOwnFrame(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (e.getClassName().startsWith("unclosedstream.") && !e.getClassName().contains("Test")) {
                return e.getClassName().substring(e.getClassName().indexOf('.') + 1) + "." + e.getMethodName() + "("
                        + e.getFileName() + ":" + e.getLineNumber() + ")";
            }
        }
        return stack.length > 0 ? stack[0].toString() : "(no stack)";
    }

    /** One export drawn by the generator, and what it saw. */
    static final class GenExport {
        final String id;
        final List<GenShard> shards = new ArrayList<>();
        final java.util.Set<Thread> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<Invoice> written = Collections.synchronizedList(new ArrayList<>());
        boolean together;
        CountDownLatch lastPages;
        int failShard = -1;
        Throwable failure;
        int writeFailsAt = -1;
        Throwable writeFailure;
        int hangShard = -1;
        volatile Thread thread;
        volatile Thread caller;
        volatile Integer returned;
        volatile Throwable thrown;
        /** Page reads in progress, and how many were in progress when exportAll returned. */
        final java.util.concurrent.atomic.AtomicInteger inFetch = new java.util.concurrent.atomic.AtomicInteger();
        volatile int inFetchAtReturn;
        volatile boolean interruptKept;
        boolean slowPages;

        GenExport(String id) {
            this.id = id;
        }

        static GenExport draw(java.util.Random r, String id, int round) {
            GenExport x = new GenExport(id);
            int[] counts = {0, 1, 2, 5, 20};
            // round 20: the report fails with an Error, and the readers still have more to send than the channel holds
            boolean errorWrite = round == 20;
            int n = errorWrite ? 2
                    : round < counts.length ? counts[round] : round < 11 ? 2 + r.nextInt(4) : counts[r.nextInt(counts.length)];
            boolean fullChannel = round == 8 || errorWrite; // shards of 90 invoices: more than the channel holds
            x.together = n > 1 && !errorWrite && r.nextBoolean();
            for (int i = 0; i < n; i++) {
                int kind = fullChannel ? 3 : r.nextInt(5);
                int[] sizes = switch (kind) {
                    case 0 -> new int[0];
                    case 1 -> new int[] {1};
                    case 2 -> new int[] {1 + r.nextInt(20), 1 + r.nextInt(20)};
                    case 3 -> new int[] {40, 40, 10};
                    default -> new int[] {1 + r.nextInt(5)};
                };
                x.shards.add(new GenShard(x, id + "-s" + i, sizes));
            }
            x.lastPages = new CountDownLatch(n);
            int total = x.total();
            // rounds 0-4: every shard count, no failure; 5-8: each kind of shard failure; 9: the report fails;
            // 10: a shard hangs and the caller is interrupted; then drawn at random, but for round 20 (the report fails)
            int outcome = errorWrite ? 2
                    : round < counts.length ? 0 : round < 9 ? 1 : round == 9 ? 2 : round == 10 ? 3 : r.nextInt(6);
            if (outcome == 1 && n > 0) {
                x.failShard = r.nextInt(n);
                GenShard s = x.shards.get(x.failShard);
                s.failOnPage = r.nextInt(s.pages.size() + 1);
                x.failure = switch (round >= 5 && round < 9 ? round - 5 : r.nextInt(4)) {
                    case 0 -> new IOException("shard " + s.name + " reset the connection");
                    case 1 -> new IllegalStateException("shard " + s.name + " sent a corrupt page");
                    // thrown by the shard's own driver, with nothing interrupting the reader: a failure too
                    case 2 -> new InterruptedException("shard " + s.name + "'s driver gave up waiting for a page");
                    default -> new AssertionError("shard " + s.name + " broke (an Error)");
                };
            } else if (outcome == 2 && total > 0) {
                x.writeFailsAt = round == 9 || errorWrite ? 0 : r.nextInt(total);
                x.slowPages = true;
                x.writeFailure = errorWrite
                        ? new AssertionError("the report's page layout broke (an Error)")
                        : new java.io.UncheckedIOException("the report's disk is full",
                                new IOException("no space left on device"));
            } else if (outcome == 3 && n > 0) {
                x.slowPages = true;
                x.hangShard = r.nextInt(n);
                GenShard s = x.shards.get(x.hangShard);
                s.hangOnPage = r.nextInt(s.pages.size() + 1);
            }
            return x;
        }

        int total() {
            int t = 0;
            for (GenShard s : shards) {
                t += s.all().size();
            }
            return t;
        }

        void run(java.util.concurrent.CyclicBarrier start) {
            Report report = invoice -> {
                int k = written.size();
                if (k == writeFailsAt) {
                    readSlowly(); // meanwhile the readers fill the channel and wait for room
                    sneakyThrow(writeFailure);
                }
                written.add(invoice);
            };
            caller = Thread.currentThread();
            try {
                start.await();
                returned = InvoiceExport.exportAll(List.copyOf(shards), report);
            } catch (Throwable t) {
                thrown = t;
            } finally {
                inFetchAtReturn = inFetch.get();
                interruptKept = Thread.interrupted();
            }
        }

        void verify(String replay) throws InterruptedException {
            String what = "in export " + this + " " + replay;
            String ended = thrown == null ? "returned " + returned : "threw " + describe(thrown);
            if (failure != null) {
                if (!(thrown instanceof ExportFailedException) || thrown.getCause() != failure) {
                    fail("shard " + shards.get(failShard).name + " failed with " + describe(failure) + ", and exportAll "
                            + ended + " instead of an ExportFailedException whose cause is that failure itself, "
                            + what, thrown);
                }
            } else if (writeFailure != null) {
                if (!causedBy(thrown, writeFailure)) {
                    fail("writing invoice " + (writeFailsAt + 1) + " to the report failed with " + describe(writeFailure)
                            + ", and exportAll " + ended + " instead of passing that failure on, " + what, thrown);
                }
            } else if (hangShard >= 0) {
                if (!causedByInterrupt(thrown)) {
                    fail("shard " + shards.get(hangShard).name + " hung, and the thread running exportAll was "
                            + "interrupted while it waited for the export; exportAll " + ended + " instead of throwing InterruptedException (or a failure "
                            + "caused by it), " + what, thrown);
                }
                if (!(thrown instanceof InterruptedException) && !interruptKept) {
                    fail("the thread running exportAll was interrupted, and exportAll threw " + describe(thrown)
                            + " but cleared the thread's interrupt flag: the interrupt is lost for the code above. "
                            + "Throw InterruptedException, or keep the flag set, " + what, thrown);
                }
            } else {
                checkWritten(what, ended);
            }
            if (inFetchAtReturn > 0) {
                throw Pitfalls.leak("exportAll " + ended + " while " + inFetchAtReturn + " of its readers were still "
                        + "reading a page, " + what + ". However the export ends, stop the readers still running and "
                        + "wait for them to finish before returning.");
            }
            for (Thread reader : readers) {
                reader.join(500);
                if (reader.isAlive()) {
                    throw Pitfalls.leak("exportAll " + ended + ", but reader thread '" + reader.getName() + "' was still "
                            + "alive 500 ms later, " + reader.getState() + " at " + firstOwnFrame(reader.getStackTrace())
                            + ", " + what + ". However the export ends (done, a shard failed, the report failed or "
                            + "the caller was interrupted), stop the readers still sending and wait for them.");
                }
            }
        }

        private void checkWritten(String what, String ended) {
            if (thrown != null) {
                fail("no shard failed, yet exportAll " + ended + ", after writing " + written.size() + " of " + total()
                        + " invoices, " + what, thrown);
            }
            Map<Invoice, Integer> counts = new HashMap<>();
            synchronized (written) {
                for (Invoice i : written) {
                    counts.merge(i, 1, Integer::sum);
                }
            }
            List<Invoice> missing = new ArrayList<>();
            for (GenShard s : shards) {
                for (Invoice i : s.all()) {
                    Integer c = counts.remove(i);
                    if (c == null) {
                        missing.add(i);
                    } else if (c > 1) {
                        fail("invoice " + i.number() + " was written " + c + " times, " + what);
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw Pitfalls.lostWork("exportAll " + ended + " after writing " + written.size() + " of " + total()
                        + " invoices: " + missing.size() + " never reached the report, " + byShard(missing) + ", " + what
                        + ". The stream must end only once every reader is done sending.");
            }
            if (!counts.isEmpty()) {
                fail("the report got invoices of no shard of this export, " + counts.keySet().iterator().next() + ", "
                        + what);
            }
            if (returned == null || returned != total()) {
                fail("exportAll wrote " + total() + " invoices but returned " + returned + ", " + what);
            }
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(id).append(": ").append(shards.size()).append(" shards");
            if (!shards.isEmpty()) {
                b.append(" of ").append(total()).append(" invoices");
            }
            if (together) {
                b.append(", finishing together");
            }
            if (failure != null) {
                GenShard s = shards.get(failShard);
                b.append(", ").append(s.name).append(" throws ").append(failure.getClass().getSimpleName())
                        .append(" on page ").append(s.failOnPage + 1);
            }
            if (writeFailure != null) {
                b.append(", the report fails on write ").append(writeFailsAt + 1).append(" with ")
                        .append(writeFailure.getClass().getSimpleName());
            }
            if (hangShard >= 0) {
                GenShard s = shards.get(hangShard);
                b.append(", ").append(s.name).append(" hangs on page ").append(s.hangOnPage + 1)
                        .append(" (until interrupted) and then the caller is interrupted");
            }
            return b.toString();
        }
    }

    /** A shard of a generated export; its last page can wait until every shard of the export is at its last page. */
    static final class GenShard implements Shard {
        final GenExport export;
        final String name;
        final List<List<Invoice>> pages = new ArrayList<>();
        int failOnPage = -1;
        int hangOnPage = -1;
        private boolean arrived;

        GenShard(GenExport export, String name, int... sizes) {
            this.export = export;
            this.name = name;
            int n = 0;
            for (int size : sizes) {
                List<Invoice> page = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    n++;
                    // equal amounts across shards and numbers that differ only by shard: nothing unique but the shard
                    page.add(new Invoice(name, "INV-" + n, 1_000L));
                }
                pages.add(page);
            }
        }

        List<Invoice> all() {
            List<Invoice> all = new ArrayList<>();
            pages.forEach(all::addAll);
            return all;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Invoice> fetchPage(int page) throws IOException, InterruptedException {
            export.inFetch.incrementAndGet();
            try {
                return fetch(page);
            } finally {
                export.inFetch.decrementAndGet();
            }
        }

        private List<Invoice> fetch(int page) throws IOException, InterruptedException {
            export.readers.add(Thread.currentThread());
            if (export.slowPages && page > 0 && page != hangOnPage) {
                readSlowly(); // pages after the first take a while, and an interrupt does not cut that short
            }
            if (page == hangOnPage) {
                arrive();
                export.caller.interrupt();
                new CountDownLatch(1).await(); // only an interrupt ends it
            }
            if (page == failOnPage) {
                arrive();
                sneakyThrow(export.failure);
            }
            if (page >= pages.size()) {
                arrive();
                if (export.together) {
                    export.lastPages.await(200, TimeUnit.MILLISECONDS);
                }
                return List.of();
            }
            return pages.get(page);
        }

        private synchronized void arrive() {
            if (!arrived) {
                arrived = true;
                export.lastPages.countDown();
            }
        }
    }

    /** 15 ms that an interrupt does not cut short (it is kept for the caller to see). */
    static void readSlowly() {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(15);
        boolean interrupted = false;
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean causedBy(Throwable thrown, Throwable cause) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == cause) {
                return true;
            }
        }
        return false;
    }

    static boolean causedByInterrupt(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    // ------------------------------------------------------------------ checks

    /** Runs the export on the test thread; no shard fails here, so a failure is the learner's. */
    private static int export(List<Shard> shards, RecordingReport report, String situation)
            throws InterruptedException {
        try {
            return InvoiceExport.exportAll(shards, report);
        } catch (ExportFailedException e) {
            boolean closedUnderFoot = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                closedUnderFoot |= t instanceof IllegalStateException;
            }
            throw Pitfalls.lostWork("Situation: " + situation + ". No shard failed, yet exportAll threw "
                    + describe(e) + ", after writing " + report.size() + " invoices. "
                    + (closedUnderFoot
                            ? "One reader closed the channel while others were still sending: the "
                                    + "first reader to finish ended the stream for everybody (in Go: a "
                                    + "panic, \"send on closed channel\" or \"close of closed channel\"). "
                                    + "Only the last reader to finish may close it, exactly once."
                            : "The export must read every shard to the end."));
        }
    }

    private static void expectEveryInvoice(int written, RecordingReport report, String situation,
            ScriptedShard... shards) {
        List<Invoice> expected = new ArrayList<>();
        for (ScriptedShard shard : shards) {
            expected.addAll(shard.all());
        }
        Set<Invoice> got = new LinkedHashSet<>(report.invoices());
        List<Invoice> missing = new ArrayList<>();
        for (Invoice invoice : expected) {
            if (!got.contains(invoice)) {
                missing.add(invoice);
            }
        }
        if (!missing.isEmpty()) {
            throw Pitfalls.lostWork("Situation: " + situation + ". The shards hold " + expected.size()
                    + " invoices, but exportAll returned after writing " + report.size() + ": "
                    + missing.size() + " never reached the report, " + byShard(missing) + ". The "
                    + "export ended before every reader had finished sending. The end of the stream "
                    + "belongs to the senders: close the channel once, when the last reader is done, "
                    + "and keep reading until then.");
        }
        if (report.size() != expected.size()) {
            fail("Situation: " + situation + ". The shards hold " + expected.size() + " invoices, "
                    + "but the report got " + report.size() + " writes: some invoices were written twice.");
        }
        assertEquals(expected.size(), written,
                "exportAll must return how many invoices it wrote to the report (" + situation + ")");
    }

    private static String byShard(List<Invoice> invoices) {
        Map<String, List<String>> byShard = new HashMap<>();
        for (Invoice invoice : invoices) {
            byShard.computeIfAbsent(invoice.shard(), s -> new ArrayList<>()).add(invoice.number());
        }
        StringBuilder s = new StringBuilder();
        byShard.forEach((shard, numbers) -> {
            if (s.length() > 0) {
                s.append("; ");
            }
            s.append(numbers.size()).append(" of ").append(shard).append(" (")
                    .append(numbers.get(0)).append(numbers.size() > 1 ? " to " + numbers.get(numbers.size() - 1) : "")
                    .append(")");
        });
        return s.toString();
    }

    private static String describe(Throwable t) {
        String s = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " \"" + t.getMessage() + "\"");
        return t.getCause() == null ? s : s + " caused by " + describe(t.getCause());
    }

    // ------------------------------------------------------------------ timing helpers

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Waits until {@code thread} has stood still for {@code millis} (parked or ended). */
    private static void awaitStill(Thread thread, long millis, long deadline) {
        long stillSince = 0;
        while (System.nanoTime() < deadline) {
            Thread.State state = thread.getState();
            if (state == Thread.State.TERMINATED) {
                return;
            }
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED) {
                if (stillSince == 0) {
                    stillSince = System.nanoTime();
                } else if (System.nanoTime() - stillSince >= TimeUnit.MILLISECONDS.toNanos(millis)) {
                    return;
                }
            } else {
                stillSince = 0;
            }
            pause();
        }
    }

    /**
     * Waits until the exporting thread waits, with no time limit, for more invoices (it has read
     * everything sent so far), or until the export has returned.
     */
    private static void awaitIdleOrReturned(Thread exporter, AtomicBoolean returned, long deadline) {
        long idleSince = 0;
        while (System.nanoTime() < deadline && !returned.get()) {
            if (exporter.getState() == Thread.State.WAITING) {
                if (idleSince == 0) {
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince >= TimeUnit.MILLISECONDS.toNanos(10)) {
                    return;
                }
            } else {
                idleSince = 0;
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(0, 200_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ doubles

    /** A shard with scripted pages: sizes, a gate before a page, a page that fails. */
    static final class ScriptedShard implements Shard {
        private final String name;
        private final List<List<Invoice>> pages = new ArrayList<>();
        private final Map<Integer, Runnable> gates = new HashMap<>();
        private final CountDownLatch finished = new CountDownLatch(1);
        private int failingPage = -1;
        private IOException failure;
        private volatile Thread lastReader;

        ScriptedShard(String name, int... pageSizes) {
            this.name = name;
            int n = 0;
            for (int size : pageSizes) {
                List<Invoice> page = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    n++;
                    page.add(new Invoice(name, String.format("INV-%s-%04d", name, n), 1_000L + n));
                }
                pages.add(Collections.unmodifiableList(page));
            }
        }

        void beforePage(int page, Runnable gate) {
            gates.put(page, gate);
        }

        void failOnPage(int page, IOException e) {
            failingPage = page;
            failure = e;
        }

        /** Every invoice the shard would hand out if read to the end. */
        List<Invoice> all() {
            List<Invoice> all = new ArrayList<>();
            pages.forEach(all::addAll);
            return all;
        }

        /**
         * Waits until the shard has handed out its last (empty) page and the thread that read
         * it has stood still for a moment: it has done whatever it does once its shard is done.
         */
        void awaitFinished(long deadline) {
            try {
                if (!finished.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Thread reader = lastReader;
            if (reader != null && reader != Thread.currentThread()) {
                awaitStill(reader, 2, deadline);
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Invoice> fetchPage(int page) throws IOException {
            lastReader = Thread.currentThread();
            Runnable gate = gates.get(page);
            if (gate != null) {
                gate.run();
            }
            if (page == failingPage) {
                finished.countDown();
                throw failure;
            }
            if (page >= pages.size()) {
                finished.countDown();
                return List.of();
            }
            return pages.get(page);
        }
    }

    /** The finance report: records what was written. */
    static final class RecordingReport implements Report {
        private final List<Invoice> invoices = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(Invoice invoice) {
            invoices.add(invoice);
        }

        int size() {
            return invoices.size();
        }

        List<Invoice> invoices() {
            synchronized (invoices) {
                return new ArrayList<>(invoices);
            }
        }
    }
}
