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
 * writes them to the report.
 *
 * <p>The senders own the end of the stream: the last shard reader to finish, whether it read its
 * shard to the end or failed, closes the channel, and that ends the loop over it.
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

    /**
     * Writes every invoice of every shard to {@code report}.
     *
     * @return how many invoices were written
     * @throws ExportFailedException if a shard could not be read to the end
     */
    public static int exportAll(List<Shard> shards, Report report)
            throws ExportFailedException, InterruptedException {
        Channel<Invoice> invoices = new Channel<>(BUFFER);
        AtomicReference<ExportFailedException> failure = new AtomicReference<>();
        AtomicInteger running = new AtomicInteger(shards.size());
        if (shards.isEmpty()) {
            invoices.close(); // no senders at all: the stream is over before it starts
        }

        List<Thread> readers = new ArrayList<>(shards.size());
        for (Shard shard : shards) {
            readers.add(Thread.ofVirtual().name("export-" + shard.name()).start(() -> {
                try {
                    for (int page = 0; ; page++) {
                        List<Invoice> batch = shard.fetchPage(page);
                        if (batch.isEmpty()) {
                            break;
                        }
                        for (Invoice invoice : batch) {
                            invoices.send(invoice);
                        }
                    }
                } catch (Throwable e) { // an Error fails the shard too: it must not pass for its end
                    failure.compareAndSet(null, new ExportFailedException("shard " + shard.name() + " failed", e));
                } finally {
                    // Like close(ch) after wg.Wait() in Go: once no one is left to send, say so.
                    if (running.decrementAndGet() == 0) {
                        invoices.close();
                    }
                }
            }));
        }

        int written = 0;
        boolean drained = false;
        try {
            for (Invoice invoice : invoices) {
                report.write(invoice);
                written++;
            }
            drained = true;
        } finally {
            if (!drained) {
                // The report failed or we were interrupted: stop the readers blocked on a full channel.
                readers.forEach(Thread::interrupt);
            }
            joinUninterruptibly(readers);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return written;
    }

    /** Waits for every reader to end, keeping an interrupt that arrives meanwhile for the caller. */
    private static void joinUninterruptibly(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
