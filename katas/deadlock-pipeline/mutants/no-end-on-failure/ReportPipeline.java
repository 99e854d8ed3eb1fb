package deadlockpipeline;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.SynchronousQueue;
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
    public List<String> collect(Iterator<String> export) throws InterruptedException {
        SynchronousQueue<String> handoff = new SynchronousQueue<>();

        // Stage one runs in a thread of its own and closes the stream when the export is done.
        Thread.ofVirtual().name("report-reader").start(() -> {
            try {
                while (export.hasNext()) {
                    handoff.put(export.next());
                }
                handoff.put(END_OF_STREAM);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        // Stage two runs here, until the reader says the export has ended.
        List<String> report = new ArrayList<>();
        for (String line = handoff.take(); line != END_OF_STREAM; line = handoff.take()) {
            report.add(formatRow.apply(line));
        }
        return report;
    }

    /** Marks the end of the stream; compared by identity, so no export line can be mistaken for it. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String END_OF_STREAM = new String("<end of stream>");
}
