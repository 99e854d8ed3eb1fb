package deadlockpipeline;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The nightly patient-diary report of a clinical trial. Diary entries stream in from the
 * trial's data export, one line at a time; each is formatted into a report row. The export
 * is read over the network and can run to millions of lines, so its length is not known
 * until it ends.
 *
 * <p>The pipeline has two stages joined by a hand-off, like two goroutines joined by an
 * unbuffered channel: stage one reads lines from the export, stage two formats them.
 */
public final class ReportPipeline {
    private final UnaryOperator<String> formatRow;

    public ReportPipeline(UnaryOperator<String> formatRow) {
        this.formatRow = Objects.requireNonNull(formatRow, "formatRow");
    }

    /**
     * Runs the whole export through the pipeline and returns the report rows, one per line
     * and in export order.
     */
    /** Marks the end of the export: the reader sends it after the last line. */
    private static final String END = "";

    public List<String> collect(Iterator<String> export) throws InterruptedException {
        SynchronousQueue<String> handoff = new SynchronousQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().name("report-reader").start(() -> {
            try {
                try {
                    while (export.hasNext()) {
                        handoff.put(export.next());
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t) {
                    failure.set(t);
                }
                handoff.put(END);
            } catch (InterruptedException e) {
                // the consumer gave up
            }
        });
        List<String> report = new ArrayList<>();
        try {
            for (String line = handoff.take(); !line.equals(END); line = handoff.take()) {
                report.add(formatRow.apply(line));
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return report;
        } finally {
            reader.interrupt();
            reader.join();
        }
    }
}
