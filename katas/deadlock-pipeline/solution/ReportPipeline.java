package deadlockpipeline;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicBoolean;
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
        SynchronousQueue<Message> handoff = new SynchronousQueue<>();

        // Set once this call stops taking: the reader then has nobody to hand anything to.
        AtomicBoolean abandoned = new AtomicBoolean();

        // Stage one runs in a thread of its own: each put waits for this thread to take.
        Thread reader = Thread.ofVirtual().name("report-reader").start(() -> read(export, handoff, abandoned));

        // Stage two runs here, until the reader says the export has ended.
        List<String> report = new ArrayList<>();
        try {
            while (true) {
                switch (handoff.take()) {
                    case Line line -> report.add(formatRow.apply(line.text()));
                    case End end -> {
                        switch (end.failure()) {
                            case null -> { }
                            case RuntimeException e -> throw e;
                            case Error e -> throw e;
                            case Throwable t -> throw new IllegalStateException("reading the export failed", t);
                        }
                        return report;
                    }
                }
            }
        } finally {
            // A no-op once the reader has closed the stream; if we leave early (formatting
            // failed, or we were interrupted), it stops the reader instead of leaving it
            // blocked on a hand-off that nobody will take. An export may answer the interrupt
            // with an exception of its own (flag cleared): abandoned, set first, tells the reader
            // not to hand that over.
            abandoned.set(true);
            reader.interrupt();
            joinKeepingInterrupt(reader);
        }
    }

    /**
     * Waits for {@code reader} to end, however often this thread is interrupted meanwhile (a plain
     * join would throw at once, and leave the reader running), then keeps the interrupt for the caller.
     */
    private static void joinKeepingInterrupt(Thread reader) {
        boolean interrupted = false;
        while (true) {
            try {
                reader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stage one: hands every line over, then closes the stream, even when the export fails. */
    private static void read(Iterator<String> export, SynchronousQueue<Message> handoff, AtomicBoolean abandoned) {
        Throwable failure = null;
        try {
            while (export.hasNext()) {
                handoff.put(new Line(export.next()));
            }
        } catch (InterruptedException e) {
            return; // the consumer gave up and stopped us: nobody is left to tell
        } catch (Throwable e) {
            failure = e; // the export broke (an exception or an Error): tell the consumer rather than die silently
        }
        if (abandoned.get()) {
            return; // the consumer left (and interrupted us, which the export may have turned into a failure)
        }
        try {
            handoff.put(new End(failure));
        } catch (InterruptedException e) {
            // the consumer gave up while we were closing the stream: nothing left to do
        }
    }

    /** What travels through the hand-off: a line of the export, or the end of it. */
    private sealed interface Message permits Line, End {
    }

    private record Line(String text) implements Message {
    }

    /** The end of the stream; {@code failure} is set when the export broke instead of ending. */
    private record End(Throwable failure) implements Message {
    }
}
