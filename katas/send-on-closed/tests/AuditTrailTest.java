package sendonclosed;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
    /** The starter's queue capacity. */
    private static final int FULL_QUEUE = 1024;
    /** How long the archive stalls once close() is called: longer than the grace a close() might allow it. */
    private static final long STALL_MS = 400;
    /** Lines recorded into each of the archives that take 1 ms a write. */
    private static final int MINDFUL_LINES = 30;

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void anEventRecordedAfterCloseIsRefused() throws Exception {
        RecordingArchive archive = new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        for (int i = 1; i <= 3; i++) {
            trail.record(event("A-" + i));
            if (i == 1) {
                for (String text : MARKER_TEXTS) { // ordinary lines, whatever the trail's own end marker reads
                    trail.record(new MarkerTextEvent("A-1b", text));
                }
            }
        }
        trail.close();
        expectShipped(archive, List.of("A-1", "A-2", "A-3"), "events A-1 to A-3 recorded, and after A-1 "
                + MARKER_TEXTS.size() + " whose lines read as an end marker might (\"end-of-stream\", the text of the"
                + " starter's, and every string written in your AuditTrail: ordinary lines all the same), then close()");
        List<String> shipped = archive.lines();
        for (String text : MARKER_TEXTS) {
            if (Collections.frequency(shipped, text) < Collections.frequency(MARKER_TEXTS, text)) {
                throw Pitfalls.lostWork("An event whose line reads exactly \"" + printable(text) + "\" (a text an"
                        + " end marker might have: it is written in your AuditTrail, or a guess) was recorded after"
                        + " A-1 and record() returned normally, but after close() its line was not in the archive"
                        + " (it got " + shipped.size() + " lines). A line that equals an end marker's text is still"
                        + " an accepted line, and is shipped like any other: the end of the stream must be told"
                        + " by something no line can be.");
            }
        }

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
        // Another request calls record(B-3) while close() is under way (waiting for B-2, or done).
        boolean closeWaiting = closing.thread.isAlive();
        Call latecomer = Call.start("request B-3", () -> trail.record(event("B-3")));
        awaitReturnedOrStill(latecomer, deadlineIn(WAIT_MS));
        late.release();

        long deadline = deadlineIn(WAIT_MS);
        if (!recording.endsBy(deadline) || !closing.endsBy(deadline) || !latecomer.endsBy(deadline)) {
            throw Pitfalls.deadlock("record(B-2) and close() were called at the same time, then record(B-3); "
                    + WAIT_MS + " ms after the line of B-2 was rendered they have not all returned: "
                    + "record(B-2) is " + recording.where() + ", close is " + closing.where()
                    + ", record(B-3) is " + latecomer.where() + ".");
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
        if (latecomer.failure == null && !archive.has("B-3")) {
            throw Pitfalls.lostWork("record(B-3) was called after close() " + (closeWaiting ? "had started "
                    + "and was waiting for record(B-2), still rendering its line" : "had returned")
                    + "; record(B-3) returned normally, close() returned, and B-3 never reached the archive. "
                    + "A record that returns normally must have "
                    + "its line shipped; one that comes too late must throw IllegalStateException. If record "
                    + "checks that the trail is open before it takes the lock that close() takes, close() can "
                    + "run between the check and the enqueue.");
        }
        if (latecomer.failure != null && !(latecomer.failure instanceof IllegalStateException)) {
            fail("record(B-3), called after close(), threw " + describe(latecomer.failure) + "; a record "
                    + "refused because the trail is closed must throw IllegalStateException");
        }
        expectShipperStopped(archive, "B-1 recorded, then close() with records in progress");
    }

    /**
     * close() waits for a record in progress (held while its event renders); another record is called
     * meanwhile and held the same way if it is let in. It may be refused, or wait and be let in after
     * the first, but it must not be let in beside it: records that keep overlapping, each let in while
     * the last is still under way, would hold close() off for as long as requests keep coming.
     */
    @Test
    @Order(2)
    void aRecordCalledWhileCloseWaitsIsNotLetInBesideOnesInProgress() throws Exception {
        RecordingArchive archive = new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        trail.record(event("K-1"));
        GatedEvent first = new GatedEvent("K-2", 8 * WAIT_MS);
        GatedEvent second = new GatedEvent("K-3", 8 * WAIT_MS);
        Call recordingFirst = Call.start("request K-2", () -> trail.record(first));
        Call closing = null;
        Call recordingSecond = null;
        try {
            long renderWait = Patience.millis(WAIT_MS, 2 * WAIT_MS);
            if (!first.rendering.await(renderWait, TimeUnit.MILLISECONDS)) {
                fail("record(K-2) did not render the event within " + renderWait + " ms");
            }
            closing = Call.start("shutdown", trail::close);
            if (awaitReturnedOrStill(closing, deadlineIn(Patience.millis(WAIT_MS, 2 * WAIT_MS)))) {
                // close() waits (for K-2, presumably): a second request comes, and is held too if it gets in.
                recordingSecond = Call.start("request K-3", () -> trail.record(second));
                awaitReturnedOrStill(recordingSecond, deadlineIn(Patience.millis(WAIT_MS, 2 * WAIT_MS)));
                boolean besideFirst = second.rendering.getCount() == 0 && recordingFirst.thread.isAlive();
                if (besideFirst) {
                    first.release();
                    if (!recordingFirst.endsBy(deadlineIn(WAIT_MS))) {
                        throw Pitfalls.deadlock("record(K-2) was released from rendering its event, and " + WAIT_MS
                                + " ms later it has not returned: it is " + recordingFirst.where() + ".");
                    }
                    long quiet = Patience.millis(250, 1000);
                    if (!closing.endsBy(deadlineIn(quiet))) {
                        throw Pitfalls.timeout("close() was called while record(K-2) was rendering its event, and"
                                + " waited. Then record(K-3) was called, and was let in beside K-2: it was rendering"
                                + " its event while K-2 still was. K-2 then returned, and " + quiet + " ms later close()"
                                + " still had not returned: it is " + closing.where() + ", with record(K-3), which"
                                + " started after close() was called, the only record in progress. If each new record"
                                + " is let in while the last is still under way, requests that keep recording hold"
                                + " close() off for as long as they come. Once close() is called, refuse new records"
                                + " at once (a closing flag set before close() waits), or make them wait behind close()"
                                + " (the write side of a ReentrantReadWriteLock).");
                    }
                }
            }
        } finally {
            second.release();
            first.release();
        }
        long deadline = deadlineIn(WAIT_MS);
        if (!recordingFirst.endsBy(deadline) || !closing.endsBy(deadline)
                || (recordingSecond != null && !recordingSecond.endsBy(deadline))) {
            throw Pitfalls.deadlock("record(K-2) and close() were called at the same time, then record(K-3); "
                    + WAIT_MS + " ms after their events were released they have not all returned: record(K-2) is "
                    + recordingFirst.where() + ", close() is " + closing.where()
                    + (recordingSecond != null ? ", record(K-3) is " + recordingSecond.where() : "") + ".");
        }
        if (closing.failure != null) {
            fail("close() threw " + describe(closing.failure), closing.failure);
        }
        List<String> accepted = new ArrayList<>(List.of("K-1"));
        for (Call call : recordingSecond == null ? List.of(recordingFirst) : List.of(recordingFirst, recordingSecond)) {
            String id = call == recordingFirst ? "K-2" : "K-3";
            if (call.failure == null) {
                accepted.add(id);
            } else if (!(call.failure instanceof IllegalStateException)) {
                fail("record(" + id + ") threw " + describe(call.failure) + "; a record refused because the trail"
                        + " closed must throw IllegalStateException", call.failure);
            } else if (archive.has(id)) {
                fail("record(" + id + ") threw IllegalStateException, telling its caller the event was not recorded,"
                        + " yet the line reached the archive");
            }
        }
        expectShipped(archive, accepted, String.join(", ", accepted) + " accepted around a close() that waited");
        expectShipperStopped(archive, "K-1 recorded, then close() with records in progress");
    }

    @Test
    @Order(3)
    void closeShipsEveryLineAcceptedBeforeIt() throws Exception {
        // The archive is slow: it stores nothing until close() is under way.
        StalledUntilClose stall = new StalledUntilClose();
        RecordingArchive archive = stall.archive;
        AuditTrail trail = new AuditTrail(archive);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            ids.add("C-" + i);
            trail.record(event("C-" + i));
        }
        stall.close(trail);
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

    /**
     * A burst fills the queue while the archive stalls on the first line: close() then finds no room
     * for its end-of-stream marker until the archive takes a line, and must wait for it (a marker
     * offered or added to a full queue is refused at once).
     */
    @Test
    @Order(3)
    void closeWaitsForRoomForItsMarkerWhenTheQueueIsFull() throws Exception {
        // the first line stalls until close() is waiting
        StalledUntilClose stall = new StalledUntilClose();
        RecordingArchive archive = stall.archive;
        AuditTrail trail = new AuditTrail(archive);
        int count = FULL_QUEUE + 1; // one line in the shipper's hands, the queue full behind it
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> recorderFailed = new AtomicReference<>();
        Thread recorder = Thread.ofPlatform().name("request-burst").start(() -> {
            try {
                for (int i = 1; i <= count; i++) {
                    trail.record(event("F-" + i));
                    accepted.add("F-" + i);
                }
            } catch (IllegalStateException refused) {
                // refused once the trail closes (a queue smaller than the starter's): not this test's concern
            } catch (Throwable t) {
                recorderFailed.set(t);
            }
        });
        // every line accepted, the queue full (or, with a smaller queue, the burst held up in record())
        recorder.join(WAIT_MS);
        try {
            stall.close(trail);
        } catch (IllegalStateException e) {
            throw new AssertionError(accepted.size() + " events were recorded while the archive stalled on the first"
                    + " line, filling the queue; then close() threw " + e + ". With the queue full, close() must"
                    + " wait until the shipper has taken a line and there is room for its end-of-stream marker (a"
                    + " marker added or offered to a full queue is refused at once).", e);
        }
        recorder.join(WAIT_MS);
        if (recorderFailed.get() != null) {
            throw new AssertionError("recording a burst of " + count + " events while the archive stalled, record()"
                    + " threw " + recorderFailed.get() + " after " + accepted.size() + " of them", recorderFailed.get());
        }
        expectShipped(archive, new ArrayList<>(accepted), accepted.size() + " events recorded, the queue full, before"
                + " close()");
    }

    @Test
    @Order(4)
    void manyRequestsRecordingWhileTheTrailClosesLoseNothing() throws Exception {
        // Several rounds, with four and then eight request threads: a count of records in progress
        // kept with ++ and -- on a plain or volatile field loses updates once enough threads share it.
        // close() comes after 20 or 100 records a thread: early, each record still pauses a moment
        // after it reads a volatile flag (the probe's noise), where a check of the flag and a count
        // made after it come apart.
        for (int round = 0; round < 4; round++) {
            manyRequestsRecordingWhileTheTrailCloses(round < 2 ? 4 : 8, round % 2 == 0 ? 20 : 100);
        }
    }

    /**
     * Three trails shut down at once, each with a slow archive that minds interrupts, the way a disk or a
     * network write does. One archive stalls on one line until STALL_MS after close() is called and gives
     * that write up if its thread is interrupted; close() must wait it out, however long: no grace period
     * after which it interrupts the shipper or returns. Request threads that call record() on it meanwhile
     * are refused at once; they do not wait for the drain. The two others take 1 ms a write: one gives
     * the write up when interrupted, the other finishes it and clears the interrupt. Seeded: how many
     * lines, which one stalls (the first, the middle or the last), how many late requests.
     */
    @Test
    @Order(5)
    void closeWaitsOutSlowArchivesAndRefusesLatecomersAtOnce() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int count = 1 + random.nextInt(40);
        int[] positions = {1, (count + 1) / 2, count};
        int stalled = positions[random.nextInt(positions.length)];
        int latecomers = 1 + random.nextInt(3);
        String stalledId = "G-" + stalled;
        String scenario = "seed " + seed + ": " + count + (count == 1 ? " event (G-1)" : " events (G-1 to G-" + count + ")")
                + " recorded; the archive stalls on " + stalledId + " until " + STALL_MS + " ms after close() is called, "
                + "and gives that write up if its thread is interrupted; " + latecomers
                + (latecomers == 1 ? " request thread calls" : " request threads call") + " record() while close() waits";
        StallingArchive archive = new StallingArchive(lineOf(stalledId));
        AuditTrail trail = new AuditTrail(archive);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add("G-" + i);
            trail.record(event("G-" + i));
        }
        // Two more trails shut down at the same time, with archives that take 1 ms a write.
        MindfulArchive[] mindful = {new MindfulArchive(true), new MindfulArchive(false)};
        AuditTrail[] others = new AuditTrail[mindful.length];
        List<String> mindfulIds = new ArrayList<>();
        for (int i = 1; i <= MINDFUL_LINES; i++) {
            mindfulIds.add("E-" + i);
        }
        for (int t = 0; t < mindful.length; t++) {
            others[t] = new AuditTrail(mindful[t]);
            for (String id : mindfulIds) {
                others[t].record(event(id));
            }
        }
        long closeCalled = System.nanoTime();
        long stallEnd = closeCalled + TimeUnit.MILLISECONDS.toNanos(STALL_MS);
        Call closing = Call.start("shutdown", trail::close);
        Call[] othersClosing = new Call[others.length];
        for (int t = 0; t < others.length; t++) {
            othersClosing[t] = Call.start("shutdown-" + (t + 2), others[t]::close);
        }
        try {
            awaitReturnedOrStill(closing, stallEnd);
            List<Call> late = new ArrayList<>();
            for (int r = 1; r <= latecomers; r++) {
                String id = "L-" + r;
                late.add(Call.start("request " + id, () -> trail.record(event(id))));
            }
            for (int r = 0; r < latecomers; r++) {
                Call request = late.get(r);
                if (!request.endsBy(stallEnd)) {
                    throw Pitfalls.timeout("record(L-" + (r + 1) + ") was called while close() was waiting for the "
                            + "archive, and had not returned " + millisSince(request.started) + " ms later, with the archive "
                            + "still stalled on " + stalledId + ": it is " + request.where() + ". Once close() has been "
                            + "called, record must refuse at once with IllegalStateException, not wait until the lines "
                            + "before it are shipped. If close() keeps the lock that record takes while it waits for the "
                            + "shipper, every request thread waits for the whole drain (" + scenario + ").");
                }
                if (request.failure != null && !(request.failure instanceof IllegalStateException)) {
                    fail("record(L-" + (r + 1) + "), called while close() was waiting for the archive, threw "
                            + describe(request.failure) + "; a record refused because the trail is closed must throw "
                            + "IllegalStateException (" + scenario + ")");
                }
            }
            if (closing.endsBy(stallEnd)) {
                List<String> missing = archive.missing(ids);
                if (!missing.isEmpty()) {
                    long interruptedAt = archive.interruptedAt;
                    throw Pitfalls.lostWork("close() returned " + millisBetween(closeCalled, closing.ended) + " ms after "
                            + "it was called, while the archive was still on " + stalledId + " (it stalls until "
                            + STALL_MS + " ms after close() is called): " + range(missing) + " had not reached it"
                            + (interruptedAt != 0 ? ". The shipper was interrupted " + millisBetween(closeCalled, interruptedAt)
                            + " ms into close(), and the archive gave up writing " + stalledId : "")
                            + (closing.failure != null ? ". close() threw " + describe(closing.failure) : "")
                            + ". close() must wait for the shipper as long as the archive takes: a grace period after "
                            + "which the shipper is interrupted, or close() returns, loses accepted lines whenever the "
                            + "archive is slower than the grace (" + scenario + ").");
                }
            }
            for (int t = 0; t < others.length; t++) {
                expectAllShipped(othersClosing[t], mindful[t], mindfulIds);
            }
            archive.release();
            if (!closing.endsBy(deadlineIn(WAIT_MS))) {
                throw Pitfalls.deadlock("the archive's stall on " + stalledId + " ended, and " + WAIT_MS + " ms later "
                        + "close() has not returned: it is " + closing.where() + " (" + scenario + ").");
            }
            if (closing.failure != null) {
                fail("close() threw " + describe(closing.failure) + " (" + scenario + ")", closing.failure);
            }
            for (int r = 0; r < latecomers; r++) {
                String id = "L-" + (r + 1);
                if (late.get(r).failure == null && !archive.has(id)) {
                    throw Pitfalls.lostWork("record(" + id + ") was called while close() was waiting for the archive, "
                            + "and returned normally; close() returned, and " + id + " never reached the archive. "
                            + "A record that returns normally must have its line shipped; once close() has been "
                            + "called, record must throw IllegalStateException (" + scenario + ").");
                }
            }
            expectShipped(archive, ids, scenario);
            expectShipperStopped(archive, scenario);
        } finally {
            archive.release();
        }
    }

    /** close() of a trail whose archive takes 1 ms a write and minds interrupts: every line shipped, in order. */
    private static void expectAllShipped(Call closing, MindfulArchive archive, List<String> ids) throws InterruptedException {
        String kind = "an archive that takes 1 ms a write and " + (archive.givesUp
                ? "gives the write up when its thread is interrupted" : "finishes the write and clears the interrupt");
        String situation = ids.size() + " events recorded with " + kind + ", then close()";
        if (!closing.endsBy(deadlineIn(WAIT_MS))) {
            throw Pitfalls.deadlock(situation + ": close() had not returned " + millisSince(closing.started) + " ms later: "
                    + "it is " + closing.where() + "." + (archive.interrupted.get() ? " The shipper was interrupted, and "
                    + "the archive cleared the interrupt: if the shipper stops only when interrupted, nothing tells it "
                    + "the stream has ended. Mark the end of the stream in the queue behind the last line." : ""));
        }
        if (closing.failure != null) {
            fail(situation + ": close() threw " + describe(closing.failure), closing.failure);
        }
        List<String> missing = archive.missing(ids);
        if (!missing.isEmpty()) {
            throw Pitfalls.lostWork(situation + ": close() returned, but " + range(missing) + " never reached the "
                    + "archive" + (archive.interrupted.get() ? "; the shipper was interrupted while the archive was "
                    + "writing. Do not interrupt the shipper to stop it: mark the end of the stream behind the accepted "
                    + "lines and let it drain the queue." : "."));
        }
        expectShipped(archive, ids, situation);
        expectShipperStopped(archive, situation);
    }

    /**
     * An event whose rendering fails (a bug in a formatter, say): record throws that failure, nothing
     * of the event is shipped, and the trail works on: other threads record and close() returns.
     */
    @Test
    @Order(6)
    void anEventThatFailsToRenderLeavesTheTrailWorking() throws Exception {
        renderFails(new IllegalStateException("template missing for event F-2"));
        renderFails(new StackOverflowError("rendering event F-2 (a toString that calls itself)"));
    }

    private void renderFails(Throwable broken) throws Exception {
        RecordingArchive archive = new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        Call first = Call.start("request-1", () -> trail.record(event("F-1")));
        first.endsBy(deadlineIn(WAIT_MS));
        Call failing = Call.start("request-2", () -> trail.record(new AuditEvent() {
            @Override
            public String id() {
                return "F-2";
            }

            @Override
            public String render() {
                if (broken instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) broken;
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
            throw Pitfalls.deadlock("record(F-2) threw " + describe(broken) + " because its event failed to render; afterwards, on other "
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

    /**
     * close() on a shutdown thread that is interrupted: before the call, while close() waits for a
     * record in progress, or while it waits for an archive stalled on a line (an archive that gives
     * the write up if its thread is interrupted). close() may throw InterruptedException, but the
     * trail must not be left half closed: a record on another thread still returns (its line shipped,
     * or refused), and a second close() ships every accepted line and stops the shipper.
     */
    @Test
    @Order(7)
    void aCloseOnAnInterruptedThreadLeavesNoHalfClosedTrail() throws Exception {
        for (Interrupted when : Interrupted.values()) {
            interruptedClose(when);
        }
    }

    /** When the thread that calls close() is interrupted. */
    private enum Interrupted {
        BEFORE_CLOSE, WHILE_A_RECORD_IS_IN_PROGRESS, WHILE_THE_ARCHIVE_STALLS,
        /** As WHILE_THE_ARCHIVE_STALLS, the archive still stalled when the second close() is called. */
        WHILE_THE_ARCHIVE_STALLS_UNTIL_CLOSED_AGAIN
    }

    private void interruptedClose(Interrupted when) throws Exception {
        boolean stalls = when == Interrupted.WHILE_THE_ARCHIVE_STALLS || when == Interrupted.WHILE_THE_ARCHIVE_STALLS_UNTIL_CLOSED_AGAIN;
        boolean releasedLate = when == Interrupted.WHILE_THE_ARCHIVE_STALLS_UNTIL_CLOSED_AGAIN;
        StallingArchive stalling = stalls ? new StallingArchive(lineOf("H-2")) : null;
        RecordingArchive archive = stalling != null ? stalling : new RecordingArchive();
        AuditTrail trail = new AuditTrail(archive);
        List<String> ids = new ArrayList<>(List.of("H-1"));
        trail.record(event("H-1"));
        Call closing;
        Call held = null;
        String scenario;
        if (stalls) {
            trail.record(event("H-2"));
            trail.record(event("H-3"));
            ids.addAll(List.of("H-2", "H-3"));
            closing = Call.start("shutdown", trail::close);
            awaitReturnedOrStill(closing, deadlineIn(WAIT_MS));
            scenario = "H-1 to H-3 recorded, the archive stalled on H-2 (it gives the write up if its thread is"
                    + " interrupted); close() called, and its thread interrupted while close() was waiting";
            closing.thread.interrupt();
            // Time for close() to answer the interrupt (throw, or wait on) before the archive goes on.
            long answer = Patience.millis(200, 800);
            if (closing.endsBy(deadlineIn(answer)) && closing.failure == null) {
                List<String> missing = archive.missing(ids); // the archive still stalls on H-2: not released yet
                if (!missing.isEmpty()) {
                    stalling.release();
                    throw Pitfalls.lostWork(scenario + ": close() returned normally " + millisSince(closing.started)
                            + " ms after it was called, with the archive still stalled on H-2, and " + missing
                            + " not yet in the archive. A caller that sees close() return takes the shutdown for"
                            + " done, and the service exits with those lines unshipped. An interrupted close() may"
                            + " stop waiting, but then it throws InterruptedException; it returns normally only once"
                            + " every accepted line is shipped (if it catches the InterruptedException of its wait,"
                            + " it throws it on or waits on: restoring the interrupt flag and returning is not enough).");
                }
            }
            if (releasedLate && closing.thread.isAlive()) {
                releasedLate = false; // close() waits on for the archive: no second close() while it stalls
            }
            if (!releasedLate) {
                stalling.release();
            }
        } else if (when == Interrupted.WHILE_A_RECORD_IS_IN_PROGRESS) {
            GatedEvent gated = new GatedEvent("H-2");
            held = Call.start("request H-2", () -> trail.record(gated));
            if (!gated.rendering.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                fail("record(H-2) did not render the event within " + WAIT_MS + " ms");
            }
            closing = Call.start("shutdown", trail::close);
            awaitReturnedOrStill(closing, deadlineIn(WAIT_MS));
            scenario = closing.thread.isAlive()
                    ? "H-1 recorded; close() called while record(H-2) was rendering its line, and its thread interrupted "
                    + "while close() was waiting"
                    : "H-1 recorded; close() called while record(H-2) was rendering its line (close() returned before "
                    + "the test could interrupt it)";
            closing.thread.interrupt();
            gated.release();
        } else {
            scenario = "H-1 recorded; close() called on a thread already interrupted";
            closing = Call.start("shutdown", () -> {
                Thread.currentThread().interrupt();
                trail.close();
            });
        }
        long deadline = deadlineIn(WAIT_MS);
        if (!closing.endsBy(deadline) || (held != null && !held.endsBy(deadline))) {
            throw Pitfalls.deadlock(scenario + "; " + WAIT_MS + " ms on, close() is " + closing.where()
                    + (held != null ? " and record(H-2) is " + held.where() : "") + ".");
        }
        if (closing.failure != null && !(closing.failure instanceof InterruptedException)) {
            fail(scenario + ": close() threw " + describe(closing.failure) + "; an interrupted close() may throw "
                    + "InterruptedException, nothing else", closing.failure);
        }
        if (held != null) {
            if (held.failure == null) {
                ids.add("H-2");
            } else if (!(held.failure instanceof IllegalStateException)) {
                fail(scenario + ": record(H-2) threw " + describe(held.failure) + "; a record refused because the "
                        + "trail closed must throw IllegalStateException");
            }
        }
        String outcome = "close() " + (closing.failure == null ? "returned" : "threw InterruptedException");
        String laterId = stalls ? "H-4" : "H-3";
        Call later = Call.start("request " + laterId, () -> trail.record(event(laterId)));
        if (!later.endsBy(deadlineIn(WAIT_MS))) {
            throw Pitfalls.deadlock(scenario + "; " + outcome + ". Then record(" + laterId + "), on another thread, had not "
                    + "returned " + WAIT_MS + " ms later: it is " + later.where() + "."
                    + (closing.failure != null ? " If close() took the trail's lock and threw before releasing it "
                    + "(an unlock that is not in a finally block), the lock is still held by the shutdown thread." : ""));
        }
        if (later.failure == null) {
            ids.add(laterId);
        } else if (!(later.failure instanceof IllegalStateException)) {
            fail(scenario + "; " + outcome + ". Then record(" + laterId + ") threw " + describe(later.failure) + "; it must "
                    + "either record the event or refuse with IllegalStateException");
        }
        Call again = Call.start("shutdown (again)", trail::close);
        if (releasedLate) {
            awaitReturnedOrStill(again, deadlineIn(WAIT_MS));
            boolean returnedWhileStalled = !again.thread.isAlive() && again.failure == null;
            stalling.release();
            if (returnedWhileStalled) {
                throw Pitfalls.lostWork(scenario + "; " + outcome + ". Then a second close(), called while the archive"
                        + " was still stalled on H-2, returned at once: H-2 and H-3 had not been shipped and the shipper"
                        + " was still running. A later close() ships every accepted line and stops the shipper before"
                        + " it returns, whatever an earlier close() got done.");
            }
        }
        if (!again.endsBy(deadlineIn(WAIT_MS))) {
            throw Pitfalls.deadlock(scenario + "; " + outcome + ". A second close(), on a thread that is not "
                    + "interrupted, had not returned " + WAIT_MS + " ms later: it is " + again.where() + "."
                    + (closing.failure != null ? " If the first close() marked the trail closed and then threw before "
                    + "it enqueued the end-of-stream marker, the shipper is waiting for a marker that never comes." : ""));
        }
        if (again.failure != null) {
            fail(scenario + "; " + outcome + ". A second close() threw " + describe(again.failure), again.failure);
        }
        String situation = scenario + "; " + outcome + "; " + (later.failure == null ? "record(" + laterId + ") was accepted"
                : "record(" + laterId + ") was refused") + "; then a second close()";
        if (stalling != null && stalling.interruptedAt != 0 && !archive.has("H-2")) {
            throw Pitfalls.lostWork(situation + ": close() returned, but H-2 never reached the archive: the write of"
                    + " H-2 was interrupted while the first close() waited for it, and the archive gave that write up."
                    + " An interrupted close() may stop waiting, but the shipper must go on: the second close() has"
                    + " every accepted line to ship.");
        }
        expectShipped(archive, ids, situation);
        expectShipperStopped(archive, situation, closing.failure == null ? "" : " If the first close() marked the "
                + "trail closed and then threw before it enqueued the end-of-stream marker, the shipper is waiting "
                + "for a marker that never comes.");
    }

    /** An archive that stalls on one line until the test releases it, and gives that write up if interrupted. */
    static final class StallingArchive extends RecordingArchive {
        private final String stalledLine;
        private final CountDownLatch released = new CountDownLatch(1);
        volatile long interruptedAt;

        StallingArchive(String stalledLine) {
            this.stalledLine = stalledLine;
        }

        void release() {
            released.countDown();
        }

        @Override
        public void store(String line) {
            if (line.equals(stalledLine)) {
                try {
                    released.await(STALL_MS + 3 * WAIT_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interruptedAt = System.nanoTime();
                    throw new java.io.UncheckedIOException(new java.io.InterruptedIOException(
                            "archive write interrupted: " + line));
                }
            }
            super.store(line);
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

    private void manyRequestsRecordingWhileTheTrailCloses(int threads, int recordsEachBeforeClose) throws Exception {
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
        while (attempts.get() < recordsEachBeforeClose * threads && System.nanoTime() < until) {
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

    /**
     * An archive whose first store waits until close() has been called and is waiting (or has
     * returned), so that the lines recorded before it pile up behind the shipper; and the close()
     * that lets it go. Made on the thread that will call close().
     */
    private static final class StalledUntilClose {
        private final Thread closer = Thread.currentThread();
        private final CountDownLatch closeCalled = new CountDownLatch(1);
        private final AtomicBoolean closeReturned = new AtomicBoolean();
        final RecordingArchive archive = new RecordingArchive(() -> {
            long deadline = deadlineIn(WAIT_MS);
            awaitUninterruptibly(closeCalled, deadline);
            awaitStillOrDone(closer, closeReturned, deadline);
        });

        void close(AuditTrail trail) throws InterruptedException {
            closeCalled.countDown();
            try {
                trail.close();
            } finally {
                closeReturned.set(true);
            }
        }
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

    /** After close() returned: the thread that wrote to the archive (the shipper) must end. */
    private static void expectShipperStopped(RecordingArchive archive, String situation) throws InterruptedException {
        expectShipperStopped(archive, situation, "");
    }

    private static void expectShipperStopped(RecordingArchive archive, String situation, String hint)
            throws InterruptedException {
        Thread shipper = archive.writer;
        if (shipper == null || shipper == Thread.currentThread()) {
            return;
        }
        shipper.join(Duration.ofMillis(WAIT_MS));
        if (shipper.isAlive()) {
            throw Pitfalls.leak(situation + ": close() returned, but the thread that wrote the lines to the archive ("
                    + (shipper.getName().isEmpty() ? "unnamed" : shipper.getName()) + ") is still alive " + WAIT_MS
                    + " ms later: it is " + where(shipper) + ". close() must stop the shipper before it returns." + hint);
        }
    }

    private static String range(List<String> ids) {
        return ids.size() == 1 ? ids.get(0) : ids.size() + " lines (" + ids.get(0) + " to " + ids.get(ids.size() - 1) + ")";
    }

    private static long millisSince(long start) {
        return millisBetween(start, System.nanoTime());
    }

    private static long millisBetween(long start, long end) {
        return TimeUnit.NANOSECONDS.toMillis(end - start);
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

    /**
     * Waits until the call has returned, or has stood still (waiting) for 5 ms: true if it stands
     * still, false if it returned or the deadline passed first.
     */
    private static boolean awaitReturnedOrStill(Call call, long deadline) {
        long stillSince = 0;
        while (System.nanoTime() < deadline && call.thread.isAlive()) {
            Thread.State state = call.thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED) {
                if (stillSince == 0) {
                    stillSince = System.nanoTime();
                } else if (System.nanoTime() - stillSince >= TimeUnit.MILLISECONDS.toNanos(5)) {
                    return true;
                }
            } else {
                stillSince = 0;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    // ------------------------------------------------------------------ doubles

    interface Action {
        void run() throws Exception;
    }

    /** A call made on a thread of its own, with what it threw. */
    static final class Call {
        final Thread thread;
        final long started = System.nanoTime();
        volatile long ended;
        volatile Throwable failure;

        private Call(String name, Action action) {
            thread = Thread.ofPlatform().name(name).unstarted(() -> {
                try {
                    action.run();
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    ended = System.nanoTime();
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
            return AuditTrailTest.where(thread);
        }
    }

    /** Where {@code thread} is in the trail's code, for a failure message. */
    static String where(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        for (int i = 0; i < stack.length; i++) {
            StackTraceElement at = stack[i];
            if (at.getClassName().startsWith("sendonclosed.AuditTrail") && at.getFileName() != null
                    && !at.getClassName().contains("Test")) {
                String cls = i == 0 ? "" : stack[i - 1].getClassName();
                String what = i == 0 ? (thread.getState() == Thread.State.BLOCKED ? "waiting to enter a synchronized method or block"
                    : "running") : cls.contains("Archive") ? "in the archive's store"
                    : cls.contains("AuditTrailTest") ? "rendering the event"
                        : "in " + cls.substring(cls.lastIndexOf('.') + 1) + "." + stack[i - 1].getMethodName();
                return what + " (" + thread.getState() + ") at " + at.getFileName() + ":" + at.getLineNumber();
            }
        }
        return "in state " + thread.getState();
    }

    /**
     * Texts an end marker might have: the starter's, guesses, and every string written in the learner's
     * AuditTrail, both as a copy and as the very literal object (a constant in any code is that object).
     */
    private static final List<String> MARKER_TEXTS = markerTexts();

    private static List<String> markerTexts() {
        return dev.kata.probe.api.LearnerCode.markerTexts(AuditTrail.class, 200, "end-of-stream", "", "EOF");
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(80).forEach(c -> out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c)
                : Character.toString(c)));
        return out + (text.length() > 80 ? "..." : "");
    }

    /** An event whose line reads exactly {@code text}, as an end marker's might. */
    record MarkerTextEvent(String id, String text) implements AuditEvent {
        @Override
        public String render() {
            return text;
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
        private final long holdMs;
        final CountDownLatch rendering = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        GatedEvent(String id) {
            this(id, WAIT_MS);
        }

        GatedEvent(String id, long holdMs) {
            this.id = id;
            this.holdMs = holdMs;
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
            awaitUninterruptibly(released, deadlineIn(holdMs));
            return lineOf(id);
        }
    }

    /** The compliance archive: keeps the lines it got, optionally after a gate. */
    static class RecordingArchive implements Archive {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Runnable gate;
        private final AtomicBoolean gateDone = new AtomicBoolean();
        final AtomicBoolean interruptedWhileStoring = new AtomicBoolean();
        /** The first thread that called store: the shipper. */
        volatile Thread writer;

        RecordingArchive() {
            this(null);
        }

        RecordingArchive(Runnable gate) {
            this.gate = gate;
        }

        @Override
        public void store(String line) {
            if (writer == null) {
                writer = Thread.currentThread();
            }
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
