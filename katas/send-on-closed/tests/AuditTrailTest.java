package sendonclosed;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import sendonclosed.AuditTrail.Archive;
import sendonclosed.AuditTrail.AuditEvent;

/**
 * Hidden tests for the send-on-closed kata. The rule checked everywhere: a record() call that
 * returns normally promises that its line reaches the archive; once the trail is closed, record()
 * must refuse with an IllegalStateException instead. Doubles let the test hold an event inside
 * record() (while its line is being rendered) and hold the archive until close() is under way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditTrailTest {

    /** Longest the test waits for something that should happen at once. */
    private static final long WAIT_MS = 1000;

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void anEventRecordedAfterCloseIsRefused() throws Exception {
        RecordingArchive archive = new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        for (int i = 1; i <= 3; i++) {
            trail.record(event("A-" + i));
        }
        trail.close();
        expectShipped(archive, List.of("A-1", "A-2", "A-3"), "three events recorded, then close()");

        try {
            trail.record(event("A-4"));
        } catch (IllegalStateException refused) {
            return; // the caller knows that A-4 is not in the trail
        }
        throw Pitfalls.lostWork("record(A-4) was called after close() and returned normally, so the "
                + "request that approved refund A-4 believes it is in the audit trail. It is not, and "
                + "never will be: " + (archive.has("A-4") ? "" : "the shipper has stopped, and the line "
                + "was dropped or sits in a queue that nobody will ever read again. ") + "In Go this "
                + "send would panic (\"send on closed channel\"); a Java queue does not know it is "
                + "closed and takes the line without a word. The trail has to refuse by itself once "
                + "it is closed, with an IllegalStateException, so the caller can log the failure or "
                + "write the audit line somewhere else.");
    }

    @Test
    @Order(2)
    void anEventBeingRecordedWhileTheTrailClosesIsShippedOrRefused() throws Exception {
        RecordingArchive archive = new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        trail.record(event("B-1"));

        // A request thread is inside record(B-2), rendering its line, when shutdown begins.
        GatedEvent late = new GatedEvent("B-2");
        Call recording = Call.start("request B-2", () -> trail.record(late));
        if (!late.rendering.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
            fail("record(B-2) did not render the event within " + WAIT_MS + " ms");
        }
        Call closing = Call.start("shutdown", trail::close);
        awaitReturnedOrStill(closing, deadlineIn(WAIT_MS));
        late.release();

        long deadline = deadlineIn(WAIT_MS);
        if (!recording.endsBy(deadline) || !closing.endsBy(deadline)) {
            throw Pitfalls.deadlock("record(B-2) and close() were called at the same time, and "
                    + WAIT_MS + " ms after the line of B-2 was rendered they have not both returned: "
                    + "record is " + recording.where() + ", close is " + closing.where() + ".");
        }
        if (closing.failure != null) {
            fail("close() threw " + describe(closing.failure));
        }
        expectShipped(archive, List.of("B-1"), "B-1 recorded before close()");
        if (recording.failure == null && !archive.has("B-2")) {
            throw Pitfalls.lostWork("record(B-2) had checked that the trail was open and was still "
                    + "rendering its line when close() was called. close() did not wait for it: it "
                    + "marked the end of the stream, the shipper finished, and close() returned. Then "
                    + "record(B-2) enqueued its line, behind the end marker, and returned normally. "
                    + "The caller believes B-2 is audited; it will never reach the archive. Checking "
                    + "a closed flag first and enqueueing afterwards is check-then-act: close() can "
                    + "slip in between. The check and the enqueue must be one step that close() "
                    + "cannot interleave with (a lock that both record and close take, e.g. the "
                    + "read and write sides of a ReentrantReadWriteLock).");
        }
        if (recording.failure != null && !(recording.failure instanceof IllegalStateException)) {
            fail("record(B-2) threw " + describe(recording.failure) + "; a record refused because "
                    + "the trail closed must throw IllegalStateException");
        }
    }

    @Test
    @Order(3)
    void closeShipsEveryLineAcceptedBeforeIt() throws Exception {
        Thread closer = Thread.currentThread();
        AtomicBoolean closeReturned = new AtomicBoolean();
        CountDownLatch closeCalled = new CountDownLatch(1);
        // The archive is slow: it stores nothing until close() is under way.
        RecordingArchive archive = new RecordingArchive(() -> {
            long deadline = deadlineIn(WAIT_MS);
            awaitUninterruptibly(closeCalled, deadline);
            awaitStillOrDone(closer, closeReturned, deadline);
        });
        AuditTrail trail = new AuditTrail(archive);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            ids.add("C-" + i);
            trail.record(event("C-" + i));
        }
        closeCalled.countDown();
        try {
            trail.close();
        } finally {
            closeReturned.set(true);
        }
        List<String> missing = archive.missing(ids);
        if (!missing.isEmpty()) {
            throw Pitfalls.lostWork("50 events were recorded, all accepted, while the archive was slow; "
                    + "then close() returned, yet " + missing.size() + " of them never reached the "
                    + "archive (" + missing.get(0) + (missing.size() > 1 ? " to " + missing.get(missing.size() - 1) : "")
                    + ")" + (archive.interruptedWhileStoring.get() ? ": close() interrupted the shipper in the "
                    + "middle of its work" : "") + ". Closing means \"no new lines\", not \"drop the lines "
                    + "already accepted\": mark the end of the stream behind them and let the shipper "
                    + "drain the queue before it stops.");
        }
        expectShipped(archive, ids, "50 events recorded before close()");
    }

    @Test
    @Order(4)
    void manyRequestsRecordingWhileTheTrailClosesLoseNothing() throws Exception {
        // Several rounds, with four and then eight request threads: a count of records in progress
        // kept with ++ and -- on a plain or volatile field loses updates once enough threads share it.
        for (int round = 0; round < 4; round++) {
            manyRequestsRecordingWhileTheTrailCloses(round < 2 ? 4 : 8);
        }
    }

    /**
     * Close with a slow archive that minds interrupts, the way a network or disk write does: one kind
     * gives up its write (the line is not stored) when the shipper is interrupted, the other finishes it
     * and clears the interrupt. Close must still ship every accepted line, in order, and return.
     */
    @Test
    @Order(5)
    void anArchiveThatMindsInterruptsStillGetsEveryLine() throws Exception {
        for (boolean givesUp : new boolean[] {true, false}) {
            String kind = givesUp ? "gives up its write when the shipper is interrupted"
                    : "finishes its write and clears the shipper's interrupt";
            MindfulArchive archive = new MindfulArchive(givesUp);
            AuditTrail trail = new AuditTrail(archive);
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 30; i++) {
                ids.add("E-" + i);
                trail.record(event("E-" + i));
            }
            Call closing = Call.start("closer", trail::close);
            if (!closing.endsBy(deadlineIn(WAIT_MS))) {
                throw Pitfalls.deadlock("30 events were recorded with a slow archive that " + kind + "; close() "
                        + "had not returned " + WAIT_MS + " ms later: it is " + closing.where() + ". "
                        + (archive.interrupted.get() ? "The shipper was interrupted, and nothing told it the "
                        + "stream had ended: mark the end of the stream in the queue behind the last line." : ""));
            }
            if (closing.failure != null) {
                fail("close() threw " + describe(closing.failure) + " with a slow archive that " + kind, closing.failure);
            }
            List<String> missing = archive.missing(ids);
            if (!missing.isEmpty()) {
                throw Pitfalls.lostWork("30 events were recorded and accepted with a slow archive that " + kind
                        + "; close() returned, but " + missing.size() + " never reached the archive (" + missing.get(0)
                        + (missing.size() > 1 ? " to " + missing.get(missing.size() - 1) : "") + ")"
                        + (archive.interrupted.get() ? ": the shipper was interrupted while the archive was writing. "
                        + "Do not interrupt the shipper to stop it: mark the end of the stream behind the accepted "
                        + "lines and let it drain the queue." : "."));
            }
            expectShipped(archive, ids, "30 events recorded before close(), with a slow archive that " + kind);
        }
    }

    /**
     * An event whose rendering fails (a bug in a formatter, say): record throws that failure, nothing
     * of the event is shipped, and the trail works on: other threads record and close() returns.
     */
    @Test
    @Order(6)
    void anEventThatFailsToRenderLeavesTheTrailWorking() throws Exception {
        RecordingArchive archive = new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        RuntimeException broken = new IllegalStateException("template missing for event F-2");
        Call first = Call.start("request-1", () -> trail.record(event("F-1")));
        first.endsBy(deadlineIn(WAIT_MS));
        Call failing = Call.start("request-2", () -> trail.record(new AuditEvent() {
            @Override
            public String id() {
                return "F-2";
            }

            @Override
            public String render() {
                throw broken;
            }
        }));
        failing.endsBy(deadlineIn(WAIT_MS));
        if (failing.failure != broken) {
            fail("the event F-2 failed to render (" + describe(broken) + "), and record() "
                    + (failing.failure == null ? "returned normally" : "threw " + describe(failing.failure))
                    + " instead of passing that failure to its caller");
        }
        Call later = Call.start("request-3", () -> trail.record(event("F-3")));
        Call closing = Call.start("closer", trail::close);
        long deadline = deadlineIn(WAIT_MS);
        if (!later.endsBy(deadline) || !closing.endsBy(deadline)) {
            throw Pitfalls.deadlock("record(F-2) threw because its event failed to render; afterwards, on other "
                    + "threads, record(F-3) and close() were called at the same time, and " + WAIT_MS + " ms on "
                    + "record(F-3) is " + later.where() + " and close() is " + closing.where() + ". If the failed "
                    + "record left something held (a lock, a count of records in progress), release it in a finally block.");
        }
        if (closing.failure != null) {
            fail("close() threw " + describe(closing.failure) + " after record(F-2) failed to render", closing.failure);
        }
        if (later.failure != null && !(later.failure instanceof IllegalStateException)) {
            fail("record(F-3), called at the same time as close(), threw " + describe(later.failure) + "; it must "
                    + "either record the event or refuse with IllegalStateException", later.failure);
        }
        // F-3 raced with close(): either accepted (and shipped) or refused (and never shipped).
        boolean accepted = later.failure == null;
        expectShipped(archive, accepted ? List.of("F-1", "F-3") : List.of("F-1"), "F-1" + (accepted ? " and F-3" : "")
                + " recorded around an event that failed to render");
        if (!accepted && archive.has("F-3")) {
            fail("record(F-3) threw IllegalStateException, telling its caller the event was not recorded, yet the "
                    + "line reached the archive");
        }
    }

    /** A slow archive (1 ms a line) that minds its thread's interrupts. */
    static final class MindfulArchive extends RecordingArchive {
        final boolean givesUp;
        final AtomicBoolean interrupted = new AtomicBoolean();

        MindfulArchive(boolean givesUp) {
            this.givesUp = givesUp;
        }

        @Override
        public void store(String line) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    if (givesUp) {
                        throw new java.io.UncheckedIOException(new java.io.InterruptedIOException(
                                "archive write interrupted: " + line));
                    }
                }
            }
            if (Thread.interrupted()) {
                interrupted.set(true);
                if (givesUp) {
                    throw new java.io.UncheckedIOException(new java.io.InterruptedIOException(
                            "archive write interrupted: " + line));
                }
            }
            super.store(line);
        }
    }

    private void manyRequestsRecordingWhileTheTrailCloses(int threads) throws Exception {
        RecordingArchive archive = new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        AtomicInteger attempts = new AtomicInteger();
        List<Call> requests = new ArrayList<>();
        for (int r = 1; r <= threads; r++) {
            int request = r;
            requests.add(Call.start("request-" + r, () -> {
                for (int i = 1; i <= 250; i++) {
                    String id = "D-" + request + "-" + i;
                    attempts.incrementAndGet();
                    try {
                        trail.record(event(id));
                        accepted.add(id);
                    } catch (IllegalStateException e) {
                        refused.add(id);
                        return; // the trail is closed: this request stops auditing
                    }
                }
            }));
        }
        long until = deadlineIn(WAIT_MS);
        while (attempts.get() < 100 * threads && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        trail.close();
        long deadline = deadlineIn(WAIT_MS);
        for (Call request : requests) {
            if (!request.endsBy(deadline)) {
                throw Pitfalls.deadlock("A request thread still has not finished recording " + WAIT_MS
                        + " ms after close() returned: it is " + request.where() + ".");
            }
            if (request.failure != null) {
                fail("record() threw " + describe(request.failure) + " in " + request.thread.getName());
            }
        }
        List<String> lost = archive.missing(new ArrayList<>(accepted));
        if (!lost.isEmpty()) {
            throw Pitfalls.lostWork(threads + " request threads were recording when close() was called: "
                    + accepted.size() + " record() calls returned normally, but " + lost.size()
                    + " of those lines never reached the archive (e.g. " + lost.get(0) + "). A "
                    + "record() call that returns normally must have its line shipped; one that "
                    + "comes too late must throw. Make the closed check and the enqueue one step "
                    + "that close() cannot cut in two.");
        }
        for (String id : refused) {
            if (archive.has(id)) {
                fail("record(" + id + ") threw IllegalStateException, telling its caller the event was "
                        + "not recorded, yet the line reached the archive");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static AuditEvent event(String id) {
        return new PlainEvent(id);
    }

    private static String lineOf(String id) {
        return id + " refund approved by ops-7";
    }

    private static void expectShipped(RecordingArchive archive, List<String> ids, String situation) {
        List<String> missing = archive.missing(ids);
        if (!missing.isEmpty()) {
            throw Pitfalls.lostWork(situation + ": close() returned, but " + missing + " never reached "
                    + "the archive. close() must ship every line accepted before it, then stop.");
        }
        List<String> lines = archive.lines();
        int last = -1;
        for (String id : ids) {
            int at = lines.indexOf(lineOf(id));
            if (at < last) {
                fail(situation + ": the archive got the lines out of order: " + lines);
            }
            last = at;
        }
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " \"" + t.getMessage() + "\"");
    }

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static void awaitUninterruptibly(CountDownLatch latch, long deadline) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until {@code thread} has stood still (parked) for 2 ms, or {@code done} is set. */
    private static void awaitStillOrDone(Thread thread, AtomicBoolean done, long deadline) {
        long stillSince = 0;
        while (System.nanoTime() < deadline && !done.get()) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED || state == Thread.State.TERMINATED) {
                if (stillSince == 0) {
                    stillSince = System.nanoTime();
                } else if (System.nanoTime() - stillSince >= TimeUnit.MILLISECONDS.toNanos(2)) {
                    return;
                }
            } else {
                stillSince = 0;
            }
            Thread.onSpinWait();
        }
    }

    /** Waits until the call has returned, or has stood still (waiting) for 5 ms. */
    private static void awaitReturnedOrStill(Call call, long deadline) {
        long stillSince = 0;
        while (System.nanoTime() < deadline && call.thread.isAlive()) {
            Thread.State state = call.thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED) {
                if (stillSince == 0) {
                    stillSince = System.nanoTime();
                } else if (System.nanoTime() - stillSince >= TimeUnit.MILLISECONDS.toNanos(5)) {
                    return;
                }
            } else {
                stillSince = 0;
            }
            Thread.onSpinWait();
        }
    }

    // ------------------------------------------------------------------ doubles

    interface Action {
        void run() throws Exception;
    }

    /** A call made on a thread of its own, with what it threw. */
    static final class Call {
        final Thread thread;
        volatile Throwable failure;

        private Call(String name, Action action) {
            thread = Thread.ofPlatform().name(name).unstarted(() -> {
                try {
                    action.run();
                } catch (Throwable t) {
                    failure = t;
                }
            });
        }

        static Call start(String name, Action action) {
            Call call = new Call(name, action);
            call.thread.start();
            return call;
        }

        boolean endsBy(long deadline) throws InterruptedException {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                thread.join(Duration.ofMillis(left));
            }
            return !thread.isAlive();
        }

        String where() {
            StackTraceElement[] stack = thread.getStackTrace();
            for (int i = 0; i < stack.length; i++) {
                StackTraceElement at = stack[i];
                if (at.getClassName().startsWith("sendonclosed.AuditTrail") && at.getFileName() != null
                        && !at.getClassName().contains("Test")) {
                    String cls = i == 0 ? "" : stack[i - 1].getClassName();
                    String what = i == 0 ? "running" : cls.contains("AuditTrailTest") ? "rendering the event"
                            : "in " + cls.substring(cls.lastIndexOf('.') + 1) + "." + stack[i - 1].getMethodName();
                    return what + " (" + thread.getState() + ") at " + at.getFileName() + ":" + at.getLineNumber();
                }
            }
            return "in state " + thread.getState();
        }
    }

    record PlainEvent(String id) implements AuditEvent {
        @Override
        public String render() {
            return lineOf(id);
        }
    }

    /** An event whose rendering waits until the test releases it. */
    static final class GatedEvent implements AuditEvent {
        private final String id;
        final CountDownLatch rendering = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        GatedEvent(String id) {
            this.id = id;
        }

        void release() {
            released.countDown();
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String render() {
            rendering.countDown();
            awaitUninterruptibly(released, deadlineIn(WAIT_MS));
            return lineOf(id);
        }
    }

    /** The compliance archive: keeps the lines it got, optionally after a gate. */
    static class RecordingArchive implements Archive {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Runnable gate;
        private final AtomicBoolean gateDone = new AtomicBoolean();
        final AtomicBoolean interruptedWhileStoring = new AtomicBoolean();

        RecordingArchive() {
            this(null);
        }

        RecordingArchive(Runnable gate) {
            this.gate = gate;
        }

        @Override
        public void store(String line) {
            if (gate != null && !gateDone.get()) {
                gate.run();
                gateDone.set(true);
                if (Thread.currentThread().isInterrupted()) {
                    interruptedWhileStoring.set(true);
                }
            }
            lines.add(line);
        }

        List<String> lines() {
            synchronized (lines) {
                return new ArrayList<>(lines);
            }
        }

        boolean has(String id) {
            return lines().contains(lineOf(id));
        }

        List<String> missing(List<String> ids) {
            Set<String> got = new HashSet<>(lines());
            List<String> missing = new ArrayList<>();
            for (String id : ids) {
                if (!got.contains(lineOf(id))) {
                    missing.add(id);
                }
            }
            return missing;
        }
    }
}
