package backpressure;

import dev.kata.probe.api.Pitfalls;
import backpressure.EventPipeline.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the backpressure kata. A request-handler thread submits events as fast as it
 * can while the writer is held back; the backlog is measured from outside the pipeline as
 * "events submit() accepted" minus "events the writer has started on".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventPipelineTest {

    private static final int MAX_BACKLOG = 4;
    private static final int EVENTS = 64;

    @Test
    @Order(1)
    void aSlowWriterHoldsTheProducerBack() throws Exception {
        AtomicInteger started = new AtomicInteger();
        Semaphore writerMayGo = new Semaphore(0);
        List<Long> written = Collections.synchronizedList(new ArrayList<>());
        EventPipeline pipeline = new EventPipeline(event -> {
            started.incrementAndGet();
            writerMayGo.acquire(); // the audit database is slow: the test decides when a write ends
            written.add(event.seq());
        }, MAX_BACKLOG);

        AtomicInteger submitted = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicReference<Throwable> submitFailed = new AtomicReference<>();
        Thread handler = Thread.ofPlatform().name("request-handler").start(() -> {
            try {
                for (long seq = 1; seq <= EVENTS; seq++) {
                    pipeline.submit(new Event(seq, "login user-" + seq));
                    int backlog = submitted.incrementAndGet() - started.get();
                    peak.accumulateAndGet(backlog, Math::max);
                }
            } catch (Throwable t) {
                submitFailed.set(t);
            }
        });

        waitUntilFinishedOrHeldUp(handler, submitted);
        if (handler.isAlive()) {
            // Hold the writer longer than any "wait a while, then give up" a submit might choose.
            handler.join(600);
        }
        int peakWhileWriterStuck = peak.get();
        writerMayGo.release(EVENTS); // the database recovers: let every write through
        handler.join(TimeUnit.SECONDS.toMillis(1));
        boolean handlerStuck = handler.isAlive();
        if (!handlerStuck) {
            pipeline.close();
        }

        if (submitFailed.get() != null) {
            Throwable t = submitFailed.get();
            throw Pitfalls.lostWork("submit() threw " + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : " (\"" + t.getMessage() + "\")") + " when the backlog was "
                    + "full, after " + submitted.get() + " events: the request handler's event was refused. "
                    + "Backpressure means the producer waits for room, it does not fail.");
        }
        if (handlerStuck) {
            throw Pitfalls.deadlock("The writer caught up (every write was allowed to finish), but the request "
                    + "handler is still stuck in submit() after " + submitted.get() + " of " + EVENTS
                    + " events: waiting for room must end when the writer takes an event.");
        }
        List<Long> expected = new ArrayList<>();
        for (long seq = 1; seq <= EVENTS; seq++) {
            expected.add(seq);
        }
        if (!written.equals(expected)) {
            List<Long> missing = new ArrayList<>(expected);
            missing.removeAll(written);
            throw Pitfalls.lostWork("submit() accepted " + EVENTS + " audit events, but the writer wrote "
                    + written.size() + (missing.isEmpty() ? " (out of order)" : "; missing: " + head(missing))
                    + ". Events dropped because the backlog was full are audit records lost without a "
                    + "trace. Make the producer wait instead of dropping.");
        }
        if (peakWhileWriterStuck > MAX_BACKLOG + 1) {
            throw Pitfalls.resourceLeak("The writer was stuck on its first event, and the request handler "
                    + "kept submitting: " + peakWhileWriterStuck + " events piled up waiting for the writer, "
                    + "with maxBacklog = " + MAX_BACKLOG + ". Nothing pushes back on the producer: the "
                    + "queue between them grows as long as the database is slower than the traffic, until "
                    + "the heap is gone (in Go: a channel buffer sized 'big enough', or an ever-growing slice). "
                    + "A warning or a larger buffer only delays it. When maxBacklog events are waiting, "
                    + "submit() must wait for the writer to take one.");
        }
    }

    @Test
    @Order(2)
    void closeWritesEverythingAndStopsTheWriter() throws Exception {
        List<Long> written = Collections.synchronizedList(new ArrayList<>());
        EventPipeline pipeline = new EventPipeline(event -> written.add(event.seq() == -1 ? 100 : event.seq()),
                MAX_BACKLOG);
        int events = 200;
        for (long seq = 1; seq <= events; seq++) {
            // Event 100 looks like an end-of-stream marker a fix might make: it is an event all the same.
            pipeline.submit(seq == 100 ? new Event(-1, "end of stream") : new Event(seq, "logout user-" + seq));
        }
        pipeline.close();
        if (written.size() != events) {
            boolean cutAtMarkerLike = written.size() == 99;
            throw Pitfalls.lostWork("close() returned after " + events + " events were submitted, but only "
                    + written.size() + " were written: close() must write everything accepted first."
                    + (cutAtMarkerLike ? " The writer stopped at event 100, Event(-1, \"end of stream\"), which "
                    + "equals a marker built from the same values: the end of the stream must be told apart by "
                    + "identity (==), or by a type no event can have." : ""));
        }
        for (int i = 0; i < events; i++) {
            if (written.get(i) != i + 1) {
                throw Pitfalls.lostWork("The writer wrote event " + written.get(i) + " at position " + (i + 1)
                        + ": audit events must be written in the order they were submitted.");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Returns once the handler has ended, or has sat still inside submit() for a little while. */
    private static void waitUntilFinishedOrHeldUp(Thread handler, AtomicInteger submitted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (handler.isAlive() && System.nanoTime() < deadline) {
            Thread.State state = handler.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED) {
                int before = submitted.get();
                Thread.sleep(20);
                if (submitted.get() == before && handler.getState() != Thread.State.RUNNABLE) {
                    return;
                }
            } else {
                Thread.sleep(1);
            }
        }
    }

    private static String head(List<Long> seqs) {
        List<String> shown = new ArrayList<>();
        for (Long s : seqs.subList(0, Math.min(5, seqs.size()))) {
            shown.add("#" + s);
        }
        return String.join(", ", shown) + (seqs.size() > 5 ? " and " + (seqs.size() - 5) + " more" : "");
    }
}
