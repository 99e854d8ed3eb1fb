package unclosedstream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Month-end reconciliation for the billing service: reads the invoices of every regional shard
 * of the billing database, all shards in parallel, and writes them into one finance report.
 *
 * <p>One virtual thread per shard pages through that shard and sends its invoices into a
 * bounded {@link Channel}; the calling thread takes them from the channel, as they arrive, and
 * writes them to the report. The last reader to finish, however it finishes, closes the channel.
 */
public final class InvoiceExport {

    /** One invoice, as stored in its regional shard. */
    public record Invoice(String shard, String number, long cents) {
    }

    /** One regional shard of the billing database, read page by page. */
    public interface Shard {
        String name();

        /** Page {@code page} (0, 1, 2, ...) of this shard's invoices; an empty page means there are no more. */
        List<Invoice> fetchPage(int page) throws IOException, InterruptedException;
    }

    /** The finance report. Only the thread that runs the export writes to it. */
    public interface Report {
        void write(Invoice invoice);
    }

    /** The export could not read every shard; the report is incomplete. */
    public static final class ExportFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        public ExportFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Invoices in flight between the shard readers and the report writer. */
    private static final int BUFFER = 64;

    private InvoiceExport() {
    }

    /** The state one export shares between its readers and the thread that runs it. */
    private static final class Run {
        final Channel<Invoice> invoices = new Channel<>(BUFFER);
        final AtomicReference<ExportFailedException> failure = new AtomicReference<>();
        /** Readers that have not finished yet (Go's WaitGroup); the one that brings it to 0 closes. */
        final AtomicInteger running;
        /** Set when the export is being given up: readers stop, and their failures are not news. */
        volatile boolean stopped;
        /** All the readers; set before the first one starts. */
        volatile List<Thread> readers = List.of();

        Run(int shards) {
            running = new AtomicInteger(shards);
            if (shards == 0) {
                invoices.close();
            }
        }

        void read(Shard shard) {
            try {
                for (int page = 0; !stopped; page++) {
                    List<Invoice> batch = shard.fetchPage(page);
                    if (batch.isEmpty()) {
                        break;
                    }
                    for (Invoice invoice : batch) {
                        if (stopped) {
                            return;
                        }
                        invoices.send(invoice);
                    }
                }
            } catch (Throwable t) { // an Error too: a shard that breaks that way ends the export as well
                failure.set(new ExportFailedException("shard " + nameOf(shard) + " failed", t));
                stop(); // the export is incomplete: do not make it wait for the other shards
            } finally {
                done();
            }
        }

        /** One reader fewer; the last one ends the stream. */
        void done() {
            if (running.decrementAndGet() == 0) {
                invoices.close();
            }
        }

        /** Asks every reader to stop: the flag for the next check, the interrupt for a blocked send. */
        void stop() {
            stopped = true;
            Thread self = Thread.currentThread();
            for (Thread reader : readers) {
                if (reader != self) {
                    reader.interrupt();
                }
            }
        }
    }

    /**
     * Writes every invoice of every shard to {@code report}.
     *
     * @return how many invoices were written
     * @throws ExportFailedException if a shard could not be read to the end
     */
    public static int exportAll(List<Shard> shards, Report report)
            throws ExportFailedException, InterruptedException {
        List<Shard> all = new ArrayList<>(shards);
        Run run = new Run(all.size());
        List<Thread> readers = new ArrayList<>(all.size());
        int started = 0;
        int written = 0;
        Throwable abort = null; // the report failed, this thread was interrupted, or a reader could not start
        boolean interrupted = false;
        try {
            for (Shard shard : all) {
                readers.add(Thread.ofVirtual().name("export-" + nameOf(shard)).unstarted(() -> run.read(shard)));
            }
            run.readers = List.copyOf(readers); // before any reader starts, so a failing one can stop all
            for (Thread reader : readers) {
                reader.start();
                started++;
            }
            for (Invoice invoice; (invoice = run.invoices.receive()) != null; ) {
                if (run.failure.get() != null) {
                    break; // a shard failed: the report is incomplete anyway, just wind down
                }
                report.write(invoice);
                written++;
            }
        } catch (InterruptedException e) {
            interrupted = true;
            abort = e;
        } catch (Throwable t) {
            abort = t;
        }

        if (abort != null) {
            run.stop();
            for (int i = started; i < all.size(); i++) {
                run.done(); // never started: it will not count itself off
            }
        }
        // Wind down: take (and drop) whatever is left until the last reader has closed the
        // channel, so that no reader stays blocked in send, then wait for every reader's thread.
        while (true) {
            try {
                if (run.invoices.receive() == null) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
                run.stop();
            }
        }
        for (int i = 0; i < started; i++) {
            while (true) {
                try {
                    readers.get(i).join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }

        if (abort != null && !(abort instanceof InterruptedException)) {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw InvoiceExport.<RuntimeException>sneaky(abort); // the report's own failure, as it was
        }
        if (interrupted) {
            throw abort instanceof InterruptedException ie ? ie
                    : new InterruptedException("interrupted while waiting for the shard readers");
        }
        ExportFailedException failed = run.failure.get();
        if (failed != null) {
            throw failed;
        }
        return written;
    }

    private static String nameOf(Shard shard) {
        try {
            return shard.name();
        } catch (RuntimeException e) {
            return String.valueOf(shard);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
