package unclosedstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

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

    /** Longest a shard double waits for the situation it is scripted to wait for. */
    private static final long GATE_MS = 1000;

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

    @Test
    @Order(3)
    void aShardThatFailsStillEndsTheExport() throws Exception {
        ScriptedShard eu1 = new ScriptedShard("eu-1", 20, 20);
        ScriptedShard eu2 = new ScriptedShard("eu-2", 20, 20);
        eu2.failOnPage(1, new IOException("connection reset by the eu-2 database"));
        RecordingReport report = new RecordingReport();

        int written;
        try {
            written = InvoiceExport.exportAll(List.of(eu1, eu2), report);
        } catch (ExportFailedException expected) {
            return; // the export ended, and said that it is incomplete
        }
        throw Pitfalls.lostWork("Shard eu-2 failed on its second page (connection reset), yet "
                + "exportAll returned " + written + " as if the export were complete. Finance would "
                + "reconcile the month with 20 invoices of eu-2 missing and no one would know. The "
                + "stream must end when a reader fails, and the failure must reach the caller.");
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
