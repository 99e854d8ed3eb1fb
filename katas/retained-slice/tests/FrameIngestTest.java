package retainedslice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Heap;
import dev.kata.probe.api.Pitfalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the retained-slice kata. The memory test feeds the ingest 200 frames of
 * 256 KB, keeps no reference to them, and measures what stays reachable while the ingest is
 * alive (after full collections), with weak references telling which frames survived.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrameIngestTest {

    private static final int HEADER = FrameIngest.HEADER_BYTES;
    private static final int BIG_FRAME = 256 * 1024;
    private static final long ALLOWED_GROWTH = 4L * 1024 * 1024;
    private static final int SMALL_FRAME = 32;
    private static final int FIRST_DEVICE = 2000;
    /** Devices that only {@code newDevicesOnEveryConnectionAtOnce} sends, 1000 apart per connection. */
    private static final int NEW_DEVICES = 10_000;
    private static final int[] DEVICE_CHOICES = {1, 2, 3, 5};
    private static final int[] PER_DEVICE_CHOICES = {1, 2, 3, 8};
    private static final long ROUND_MILLIS = 25;
    private static final int MIN_ROUNDS = 3;
    private static final long STRESS_NANOS = 100_000_000L;
    private static final long MIN_FRAMES = 200_000;
    private static final long EXTRA_NANOS = 50_000_000L; // at most this much longer to reach MIN_FRAMES

    @Test
    @Order(1)
    @DisplayName("keeps each device's latest headers, oldest first, and no more; hands out copies")
    void keepsTheLatestHeadersInOrder() {
        AtomicInteger archived = new AtomicInteger();
        FrameIngest ingest = new FrameIngest(4, frame -> archived.incrementAndGet());
        for (int seq = 1; seq <= 10; seq++) {
            ingest.accept(frame(4711, seq, 64));
            if (seq <= 3) {
                ingest.accept(frame(815, seq, 200));
            }
        }
        ingest.accept(frame(9, 1, HEADER)); // a frame that is all header: no payload at all
        assertEquals(14, archived.get(), "frames handed to the archive");
        expectHeaders(ingest, 4711, 64, 7, 8, 9, 10);
        expectHeaders(ingest, 815, 200, 1, 2, 3);
        expectHeaders(ingest, 9, HEADER, 1);

        assertEquals(List.of(), ingest.recentHeaders(999), "recentHeaders of a device that never sent anything");

        byte[] handedOut = ingest.recentHeaders(4711).get(0);
        Arrays.fill(handedOut, (byte) 0);
        List<byte[]> again = ingest.recentHeaders(4711);
        if (!again.isEmpty() && hex(again.get(0)).equals(hex(handedOut))) {
            fail("The console zeroed the first header recentHeaders(4711) had handed it, and the next call to"
                    + " recentHeaders(4711) returned that header zeroed too: " + hex(again.get(0)) + ". The list"
                    + " holds the cache's own arrays, not copies, so what the console does with them changes the"
                    + " cache. Hand out a copy of each header.");
        }
        expectHeaders(ingest, 4711, 64, 7, 8, 9, 10);

        // A frame sent again (a retried upload): the same 16 bytes, and a frame of its own all the same.
        ingest.accept(frame(4711, 10, 64));
        ingest.accept(frame(9, 1, HEADER));
        expectHeaders("After frame #10 of device 4711 and frame #1 of device 9 were sent a second time, the same bytes"
                + " again (a retried upload, each one a frame of its own): ", ingest, 4711, 64, 8, 9, 10, 10);
        expectHeaders("", ingest, 9, HEADER, 1, 1);

        // An older frame sent again after newer ones: it is the latest frame now, whatever its number.
        ingest.accept(frame(4711, 8, 64));
        expectHeaders("After device 4711's frames #8, #9, #10, #10, its frame #8 was sent again (a retried upload,"
                + " taken last): ", ingest, 4711, 64, 9, 10, 10, 8);
    }

    @Test
    @Order(2)
    @DisplayName("keeping 16-byte headers does not keep their 256 KB frames")
    void keptHeadersDoNotKeepTheirFrames() {
        int devices = 8;
        int perDevice = 8;
        int frames = 200;
        FrameIngest ingest = new FrameIngest(perDevice, frame -> { }); // the archive keeps nothing in memory

        long before = Heap.retainedBytes();
        List<WeakReference<byte[]>> sent = feed(ingest, frames, devices);
        long after = Heap.retainedBytes();
        long grown = after - before;

        List<byte[]> alive = new ArrayList<>();
        for (WeakReference<byte[]> ref : sent) {
            byte[] frame = ref.get();
            if (frame != null) {
                alive.add(frame);
            }
        }
        int kept = devices * perDevice;
        if (grown > ALLOWED_GROWTH) {
            throw Pitfalls.resourceLeak(String.format(
                    "After %d frames of 256 KB from %d devices, the recent-headers cache holds %d headers "
                    + "(%,d bytes of header) but keeps %s more reachable than before. %s%n"
                    + "A header that is a view of the frame (ByteBuffer.wrap(frame, 0, 16), slice(), duplicate(), "
                    + "asReadOnlyBuffer()) shares the frame's array, so each kept header pins its whole 256 KB "
                    + "frame: Go's `small := big[:16]`, which keeps all of big's backing array alive. Copy the "
                    + "16 bytes you keep into an array of their own (Arrays.copyOfRange, or "
                    + "ByteBuffer.allocate(16).put(...).flip()), so a frame can be collected once it is archived.",
                    frames, devices, kept, kept * HEADER, mb(grown), whatHoldsIt(ingest, alive, frames)));
        }
        Reference.reachabilityFence(ingest);
        expectHeaders(ingest, 100, BIG_FRAME, 18, 19, 20, 21, 22, 23, 24, 25);
    }

    @Test
    @Order(3)
    @DisplayName("many connection threads sharing devices, and the console reading meanwhile: no header lost, mixed up or out of order")
    void framesFromManyThreads() throws Exception {
        oneConnectionAtATime();
        newDevicesOnEveryConnectionAtOnce();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long end = System.nanoTime() + STRESS_NANOS;
        int round = 0;
        long sent = 0;
        // Rounds go on for a fixed time, not a fixed count: on a single or busy core two connections
        // only overlap when the scheduler preempts one of them inside accept(), a few times a round.
        while (round < MIN_ROUNDS || System.nanoTime() < end
                || sent < MIN_FRAMES && System.nanoTime() < end + EXTRA_NANOS) {
            round++;
            int connections = 2 + random.nextInt(3);
            int devices = DEVICE_CHOICES[random.nextInt(DEVICE_CHOICES.length)];
            int perDevice = PER_DEVICE_CHOICES[random.nextInt(PER_DEVICE_CHOICES.length)];
            String scenario = String.format("seed %d, round %d: %d connection threads sending frames of %d device%s"
                    + " (each on every connection), headersPerDevice %d, the console reading all the while,"
                    + " %d ms", seed, round, connections, devices, devices == 1 ? "" : "s", perDevice, ROUND_MILLIS);
            sent += stressRound(connections, devices, perDevice, random.nextLong(), scenario, round);
        }
    }

    /** The stress rounds' frames from one thread, so that a failure there is not blamed on threads. */
    private static void oneConnectionAtATime() {
        FrameIngest ingest = new FrameIngest(2, frame -> { });
        for (int n = 1; n <= 3; n++) {
            ingest.accept(frame(FIRST_DEVICE, seqOf(0, n), SMALL_FRAME));
        }
        List<byte[]> kept = ingest.recentHeaders(FIRST_DEVICE);
        String wrong = wrongHeaders(kept, FIRST_DEVICE, 2, 1, new int[] {3});
        if (wrong == null && kept.size() != 2) {
            wrong = kept.size() + (kept.size() == 1 ? " header" : " headers");
        }
        if (wrong != null) {
            fail("With one thread: after three frames of device " + FIRST_DEVICE + " (headersPerDevice 2),"
                    + " recentHeaders(" + FIRST_DEVICE + ") returned " + wrong + "; expected the headers of frames"
                    + " #2 and #3, oldest first.");
        }
    }

    /**
     * Four connections bring the first frames of fifty devices each, all their own, at the same
     * moment, while the console reads: each device ends up with its one header. Devices that no
     * two connections share still share whatever the ingest keeps them in.
     */
    private static void newDevicesOnEveryConnectionAtOnce() throws Exception {
        int connections = 4;
        int perConnection = 50;
        String scenario = connections + " connection threads, each sending the first frame of " + perConnection
                + " new devices of its own at the same moment, the console reading meanwhile";
        FrameIngest ingest = new FrameIngest(2, frame -> { });
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicReference<String> failedOn = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int connection = c;
            threads.add(Thread.ofPlatform().name("connection-" + c).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perConnection; i++) {
                        ingest.accept(frame(NEW_DEVICES + connection * 1000 + i, seqOf(connection, 1), SMALL_FRAME));
                    }
                } catch (Throwable e) {
                    if (failed.compareAndSet(null, e)) {
                        failedOn.set("connection-" + connection + "'s accept()");
                    }
                }
            }));
        }
        threads.add(Thread.ofPlatform().name("console").start(() -> {
            try {
                start.await();
                for (int i = 0; i < perConnection; i++) {
                    for (int c = 0; c < connections; c++) {
                        ingest.recentHeaders(NEW_DEVICES + c * 1000 + i);
                    }
                }
            } catch (Throwable e) {
                if (failed.compareAndSet(null, e)) {
                    failedOn.set("the console's recentHeaders()");
                }
            }
        }));
        start.countDown();
        for (Thread t : threads) {
            t.join(5000);
            if (t.isAlive()) {
                throw Pitfalls.deadlock("(" + scenario + ") " + t.getName() + " had not finished after 5 s.");
            }
        }
        if (failed.get() != null) {
            throw Pitfalls.race("(" + scenario + ") " + failedOn.get() + " threw " + failed.get() + " while the other"
                    + " threads were sending frames and reading headers.");
        }
        for (int c = 0; c < connections; c++) {
            for (int i = 0; i < perConnection; i++) {
                expectHeaders("(" + scenario + ") ", ingest, NEW_DEVICES + c * 1000 + i, SMALL_FRAME,
                        seqOf(c, 1));
            }
        }
    }

    /** One round: returns the number of frames sent. */
    private static long stressRound(int connections, int devices, int perDevice, long roundSeed, String scenario,
            int round) throws Exception {
        FrameIngest ingest = new FrameIngest(perDevice, frame -> { });
        int[][] sentBy = new int[connections][devices]; // frames connection c sent for device d
        AtomicReference<String> problem = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicReference<String> failedOn = new AtomicReference<>();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        long deadline = System.nanoTime() + ROUND_MILLIS * 1_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int connection = c;
            Random random = new Random(roundSeed + c);
            threads.add(Thread.ofPlatform().name("connection-" + c).start(() -> {
                try {
                    start.await();
                    int[] counts = sentBy[connection];
                    while (System.nanoTime() < deadline && failed.get() == null && problem.get() == null) {
                        int d = random.nextInt(devices);
                        int seq = seqOf(connection, counts[d] + 1);
                        ingest.accept(frame(FIRST_DEVICE + d, seq, SMALL_FRAME));
                        counts[d]++;
                        // the connection looks at its device's headers too, as the console would
                        String wrong = wrongHeaders(ingest.recentHeaders(FIRST_DEVICE + d), FIRST_DEVICE + d,
                                perDevice, connections, null);
                        if (wrong != null) {
                            problem.compareAndSet(null, "Right after connection-" + connection + " sent frame #"
                                    + counts[d] + " of device " + (FIRST_DEVICE + d) + ", recentHeaders("
                                    + (FIRST_DEVICE + d) + ") returned " + wrong);
                        }
                    }
                } catch (Throwable e) {
                    if (failed.compareAndSet(null, e)) {
                        failedOn.set("connection-" + connection + "'s accept()");
                    }
                }
            }));
        }
        Thread console = Thread.ofPlatform().name("console").start(() -> {
            try {
                start.await();
                int d = 0;
                while (running.get() && problem.get() == null) {
                    int device = FIRST_DEVICE + d++ % devices;
                    String wrong = wrongHeaders(ingest.recentHeaders(device), device, perDevice, connections, null);
                    if (wrong != null) {
                        problem.compareAndSet(null, "While frames were arriving, recentHeaders(" + device
                                + ") returned " + wrong);
                    }
                }
            } catch (Throwable e) {
                if (failed.compareAndSet(null, e)) {
                    failedOn.set("the console's recentHeaders()");
                }
            }
        });
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        running.set(false);
        console.join();
        if (failed.get() != null) {
            Throwable e = failed.get();
            throw Pitfalls.race("(" + scenario + ") " + failedOn.get() + " threw " + e + " while the other threads"
                    + " were sending frames and reading headers.").underStress(connections + 1, round);
        }
        long total = 0;
        for (int d = 0; d < devices && problem.get() == null; d++) {
            int device = FIRST_DEVICE + d;
            int[] lastSeqs = new int[connections];
            int sentForDevice = 0;
            for (int c = 0; c < connections; c++) {
                lastSeqs[c] = sentBy[c][d];
                sentForDevice += sentBy[c][d];
            }
            total += sentForDevice;
            List<byte[]> kept = ingest.recentHeaders(device);
            String wrong = wrongHeaders(kept, device, perDevice, connections, lastSeqs);
            if (wrong == null && kept.size() != Math.min(perDevice, sentForDevice)) {
                wrong = kept.size() + (kept.size() == 1 ? " header" : " headers") + ", after " + sentForDevice + " frames of that device: expected "
                        + Math.min(perDevice, sentForDevice);
            }
            if (wrong != null) {
                problem.set("Once every connection was done, recentHeaders(" + device + ") returned " + wrong);
            }
        }
        if (problem.get() != null) {
            throw Pitfalls.race(problem.get() + " (" + scenario + ").\nEach header kept must be the 16 bytes"
                    + " of one of that device's frames, each at most once, a connection's frames in the order it"
                    + " sent them, and never more than headersPerDevice of them.")
                    .underStress(connections + 1, round);
        }
        return total;
    }

    /**
     * What is wrong with a list of headers of {@code device}, or null. Sequence numbers carry their
     * connection; with {@code lastSeqs} (the frames each connection sent), each kept header must also
     * be among its connection's latest {@code perDevice} frames of the device.
     */
    private static String wrongHeaders(List<byte[]> headers, int device, int perDevice, int connections,
            int[] lastSeqs) {
        if (headers == null) {
            return "null";
        }
        if (headers.size() > perDevice) {
            return headers.size() + " headers, more than headersPerDevice (" + perDevice + "): " + describe(headers);
        }
        int[] newest = new int[connections];
        for (int i = 0; i < headers.size(); i++) {
            byte[] h = headers.get(i);
            int seq = isHeaderOf(h, device) ? ByteBuffer.wrap(h).getInt(8) : 0;
            int connection = (seq >>> 20) - 1;
            int n = seq & 0xFFFFF;
            if (connection < 0 || connection >= connections || n == 0) {
                return "header " + (i + 1) + " of " + headers.size() + " is " + (h == null ? "null" : hex(h))
                        + ", not the 16-byte header of a frame of device " + device + ": " + describe(headers);
            }
            if (n == newest[connection]) {
                return "the header of one frame twice: " + describe(headers);
            }
            if (n < newest[connection]) {
                return "connection-" + connection + "'s frame #" + n + " after its frame #" + newest[connection]
                        + " (oldest first was expected): " + describe(headers);
            }
            newest[connection] = n;
            if (lastSeqs != null && n <= lastSeqs[connection] - perDevice) {
                return "connection-" + connection + "'s frame #" + n + ", though it sent " + lastSeqs[connection]
                        + " frames of the device and " + perDevice + " later ones should have replaced it: "
                        + describe(headers);
            }
        }
        return null;
    }

    /** Whether {@code h} is the 16-byte header of a small frame of {@code device} (checked without allocating). */
    private static boolean isHeaderOf(byte[] h, int device) {
        if (h == null || h.length != HEADER || h[0] != 'K' || h[1] != 'F' || h[2] != 1 || h[3] != 0) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(h);
        return b.getInt(4) == device && b.getInt(12) == SMALL_FRAME - HEADER;
    }

    private static int seqOf(int connection, int n) {
        return (connection + 1) << 20 | n;
    }

    private static String describe(List<byte[]> headers) {
        List<String> frames = new ArrayList<>();
        for (byte[] h : headers) {
            int seq = h != null && h.length == HEADER ? ByteBuffer.wrap(h).getInt(8) : 0;
            int device = h != null && h.length == HEADER ? ByteBuffer.wrap(h).getInt(4) : 0;
            frames.add(seq >>> 20 > 0 ? "device " + device + " connection-" + ((seq >>> 20) - 1) + " #"
                    + (seq & 0xFFFFF) : h == null ? "null" : hex(h));
        }
        return frames.toString();
    }

    @Test
    @Order(4)
    @DisplayName("the archive fails on a frame: accept throws its exception, keeps nothing of that frame, and the next"
            + " frame from another connection goes through")
    void aFailingArchiveLeavesTheIngestWorking() throws Exception {
        List<Throwable> failures = List.of(new UncheckedIOException(new IOException("archive disk full")),
                new IOException("archive unreachable"), // a checked exception, thrown through the Consumer
                new ArchiveCrashed());
        for (Throwable failure : failures) {
            failingArchive(failure);
        }
    }

    /** An Error from the archive, not an Exception. */
    private static final class ArchiveCrashed extends Error {
        ArchiveCrashed() {
            super("archive crashed");
        }
    }

    private static void failingArchive(Throwable failure) throws Exception {
        int device = 4242;
        String scenario = "the archive throws " + failure + " for device " + device + "'s frame #4 (headersPerDevice"
                + " 3, frames #1 to #3 kept); frames #1 to #4 come on thread connection-1, then frame #5 on thread"
                + " connection-2";
        List<Integer> archived = Collections.synchronizedList(new ArrayList<>());
        FrameIngest ingest = new FrameIngest(3, frame -> {
            int seq = ByteBuffer.wrap(frame).getInt(8);
            archived.add(seq);
            if (seq == 4) {
                throw sneaky(failure);
            }
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread first = Thread.ofPlatform().name("connection-1").start(() -> {
            ingest.accept(frame(device, 1, 64));
            ingest.accept(frame(device, 2, 64));
            ingest.accept(frame(device, 3, 64));
            try {
                ingest.accept(frame(device, 4, 64));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        first.join();
        if (thrown.get() != failure) {
            fail("(" + scenario + ") accept() of frame #4 " + (thrown.get() == null ? "returned normally"
                    : "threw " + thrown.get()) + ": it must throw the archive's own exception, " + failure
                    + ", to the connection that sent the frame.");
        }
        expectHeaders("(" + scenario + ", looked at before frame #5) A frame the archive failed to store changes"
                + " nothing: the device's history keeps the headers it had. ", ingest, device, 64, 1, 2, 3);
        Thread second = Thread.ofPlatform().name("connection-2").start(() -> ingest.accept(frame(device, 5, 64)));
        awaitNotStuck(second, scenario);
        expectHeaders("(" + scenario + ") A frame the archive failed to store is not kept. ", ingest, device, 64,
                2, 3, 5);
        assertEquals(List.of(1, 2, 3, 4, 5), archived, "(" + scenario + ") frames handed to the archive, in order");
    }

    /**
     * Waits for a connection thread to end. Its accept() has nothing to wait for, so a thread seen
     * waiting or blocked several times in a row is stuck, as is one still running after 5 s.
     */
    private static void awaitNotStuck(Thread thread, String scenario) throws InterruptedException {
        long giveUp = System.nanoTime() + 5_000_000_000L;
        int waitingLooks = 0;
        while (thread.isAlive()) {
            thread.join(50);
            Thread.State state = thread.getState();
            boolean waiting = state == Thread.State.WAITING || state == Thread.State.BLOCKED
                    || state == Thread.State.TIMED_WAITING;
            waitingLooks = waiting ? waitingLooks + 1 : 0;
            if (thread.isAlive() && (waitingLooks >= 4 || System.nanoTime() > giveUp)) {
                StackTraceElement where = null;
                for (StackTraceElement e : thread.getStackTrace()) {
                    if (e.getClassName().startsWith(FrameIngest.class.getName())) {
                        where = e;
                        break;
                    }
                }
                throw Pitfalls.deadlock("(" + scenario + ") connection-2's accept() of frame #4 has not returned: it"
                        + " is " + state + (where == null ? "" : " at " + where.getFileName() + ":"
                        + where.getLineNumber()) + ", after connection-1's accept() had thrown the archive's"
                        + " exception. Whatever accept() takes (a lock, a permit) must be given back when the"
                        + " archive throws, in a finally block; another connection waits for it forever"
                        + " otherwise (a retry on the same thread would not show it: a ReentrantLock lets its owner in).");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    @Order(5)
    @DisplayName("a frame that is all header: its connection may reuse the array once accept has returned")
    void aHeaderOnlyFramesArrayMayBeReused() {
        FrameIngest ingest = new FrameIngest(4, frame -> { });
        byte[] allHeader = frame(9, 1, HEADER);
        ingest.accept(allHeader); // 16 bytes: no payload at all
        expectHeaders(ingest, 9, HEADER, 1);

        // accept has returned: device 9's connection reads its next frame into the same array
        byte[] nextRead = frame(9, 2, HEADER);
        System.arraycopy(nextRead, 0, allHeader, 0, HEADER);
        List<byte[]> kept = ingest.recentHeaders(9);
        if (kept.size() != 1 || !hex(kept.get(0)).equals(hex(header(9, 1, HEADER)))) {
            boolean aliased = kept.size() == 1 && hex(kept.get(0)).equals(hex(nextRead));
            fail("Device 9 sent frame #1, 16 bytes and all header; once accept had returned, its connection read"
                    + " its next frame into the same array, and recentHeaders(9) then returned "
                    + kept.stream().map(FrameIngestTest::hex).toList() + " instead of [" + hex(header(9, 1, HEADER))
                    + "]" + (aliased ? ": the bytes the connection wrote after accept returned. The cache kept the"
                            + " connection's own array. Keep a copy of the 16 bytes, also when the frame is nothing"
                            + " but its header." : "."));
        }
    }

    @Test
    @Order(6)
    @DisplayName("a frame whose archive fails while the device's next frame goes through on another connection")
    void aFailedArchiveLosesNoOtherFrame() throws Exception {
        CountDownLatch archiving = new CountDownLatch(1);
        CountDownLatch letItFail = new CountDownLatch(1);
        IllegalStateException diskFull = new IllegalStateException("archive: disk full");
        FrameIngest ingest = new FrameIngest(2, frame -> {
            if (ByteBuffer.wrap(frame).getInt(8) == 3) { // frame #3: its archive is slow, then fails
                archiving.countDown();
                try {
                    letItFail.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw diskFull;
            }
        });
        int length = HEADER + 64;
        ingest.accept(frame(7, 1, length));
        ingest.accept(frame(7, 2, length)); // a full history: #1, #2
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread first = Thread.ofPlatform().name("connection-1").start(() -> {
            try {
                ingest.accept(frame(7, 3, length));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        try {
            if (!archiving.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
                fail("device 7's frame #3 never reached the archive");
            }
            // another connection, while #3 is being archived (a fix that archives a device's frames one at a
            // time, under a lock, lets #4 wait until #3 has failed)
            Thread second = Thread.ofPlatform().name("connection-2").start(() -> ingest.accept(frame(7, 4, length)));
            long wait = dev.kata.probe.api.Patience.millis(1000, 3000);
            second.join(wait);
            if (second.isAlive()) {
                Thread.State state = second.getState();
                letItFail.countDown();
                first.join(2_000);
                second.join(2_000);
                throw Pitfalls.timeout("device 7's frame #3 was being archived (slowly, and it would fail) when frame"
                        + " #4 came on another connection; " + wait + " ms later accept(#4) had not returned (" + state
                        + "), although its own archive answers at once. A frame must not wait for another frame's"
                        + " archive: archive outside any lock, and take the lock only to update the history.");
            }
            // #3's archive takes its time before it fails: longer than any time limit of the learner's
            // code, shortened to 60 ms at most (kata.shortTimeouts), so that a wait that gives up shows
            Thread.sleep(150);
            letItFail.countDown();
        } finally {
            letItFail.countDown();
            first.join(2_000);
        }
        if (thrown.get() != diskFull) {
            fail("the archive threw " + diskFull + " for device 7's frame #3, after taking 150 ms or more, and accept "
                    + (thrown.get() == null ? "returned normally" : "threw " + thrown.get()) + ": it must throw that same exception");
        }
        List<String> got = ingest.recentHeaders(7).stream().map(FrameIngestTest::hex).toList();
        List<String> expected = List.of(hex(header(7, 2, length)), hex(header(7, 4, length)));
        if (!got.equals(expected)) {
            throw Pitfalls.lostWork("headersPerDevice 2, device 7 had sent frames #1 and #2. Frame #3's archive was"
                    + " slow and then failed; meanwhile frame #4 came on another connection and was archived."
                    + " recentHeaders(7) then returned " + got + " instead of the headers of #2 and #4 " + expected
                    + ": a failed frame keeps nothing of its own and takes nothing of another's (putting back the"
                    + " history as it was before #3 drops #4, which went through meanwhile).");
        }
        aNewDevicesFailedFirstFrameLosesNotItsSecond();
    }

    /**
     * A device with no history yet: its first frame's archive is slow and fails while its second
     * frame, on another connection, is being archived; the second one's archive returns after the
     * first one has failed. The second frame's header is kept (cleaning up after the failure must
     * not take away the history the second frame is about to go into).
     */
    private static void aNewDevicesFailedFirstFrameLosesNotItsSecond() throws Exception {
        CountDownLatch firstArchiving = new CountDownLatch(1);
        CountDownLatch secondArchiving = new CountDownLatch(1);
        CountDownLatch letFirstFail = new CountDownLatch(1);
        CountDownLatch letSecondGo = new CountDownLatch(1);
        IllegalStateException diskFull = new IllegalStateException("archive: disk full");
        FrameIngest ingest = new FrameIngest(2, frame -> {
            ByteBuffer b = ByteBuffer.wrap(frame);
            if (b.getInt(4) == 8 && b.getInt(8) == 1) {
                firstArchiving.countDown();
                awaitQuietly(letFirstFail);
                throw diskFull;
            }
            if (b.getInt(4) == 8 && b.getInt(8) == 2) {
                secondArchiving.countDown();
                awaitQuietly(letSecondGo);
            }
        });
        int length = HEADER + 64;
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Throwable> secondThrown = new AtomicReference<>();
        Thread first = Thread.ofPlatform().name("connection-1").start(() -> {
            try {
                ingest.accept(frame(8, 1, length));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        Thread second = null;
        try {
            if (!firstArchiving.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
                fail("device 8's frame #1 never reached the archive");
            }
            second = Thread.ofPlatform().name("connection-2").start(() -> {
                try {
                    ingest.accept(frame(8, 2, length));
                } catch (Throwable t) {
                    secondThrown.set(t);
                }
            });
            // #2 reaches its archive while #1's is still held (a fix that lets it wait is told so above)
            secondArchiving.await(dev.kata.probe.api.Patience.millis(1000, 3000), java.util.concurrent.TimeUnit.MILLISECONDS);
            letFirstFail.countDown();
            first.join(2_000);
        } finally {
            letFirstFail.countDown();
            letSecondGo.countDown();
            first.join(2_000);
            if (second != null) {
                second.join(2_000);
            }
        }
        List<String> got = ingest.recentHeaders(8).stream().map(FrameIngestTest::hex).toList();
        List<String> expected = List.of(hex(header(8, 2, length)));
        if (thrown.get() == diskFull && secondThrown.get() == null && !got.equals(expected)) {
            throw Pitfalls.lostWork("Device 8 had sent nothing yet. Its frame #1's archive was slow and then failed;"
                    + " meanwhile its frame #2 came on another connection and was being archived, and that archive"
                    + " returned only after accept(#1) had thrown. accept(#2) returned normally, yet recentHeaders(8)"
                    + " then returned " + got + " instead of the header of #2 " + expected + ". A failed frame"
                    + " keeps nothing of its own and takes nothing of another's: whatever it cleans up must not be"
                    + " what another frame of the device is about to go into (an empty history, say).");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A telemetry frame: magic "KF", version 1, flags 0, device, sequence, payload length, payload. */
    private static byte[] frame(int device, int seq, int length) {
        byte[] frame = new byte[length];
        ByteBuffer.wrap(frame).put((byte) 'K').put((byte) 'F').put((byte) 1).put((byte) 0)
                .putInt(device).putInt(seq).putInt(length - HEADER);
        for (int i = HEADER; i < length; i += 4096) {
            frame[i] = (byte) (seq + i); // a payload, sparse: the size is what matters here
        }
        return frame;
    }

    private static byte[] header(int device, int seq, int length) {
        return Arrays.copyOf(frame(device, seq, length), HEADER);
    }

    /** Sends {@code frames} big frames, devices 100, 101... in turn, and keeps only weak references to them. */
    private static List<WeakReference<byte[]>> feed(FrameIngest ingest, int frames, int devices) {
        List<WeakReference<byte[]>> sent = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++) {
            byte[] frame = frame(100 + i % devices, i / devices + 1, BIG_FRAME);
            sent.add(new WeakReference<>(frame));
            ingest.accept(frame);
        }
        return sent;
    }

    private static void expectHeaders(FrameIngest ingest, int device, int length, int... seqs) {
        expectHeaders("", ingest, device, length, seqs);
    }

    private static void expectHeaders(String context, FrameIngest ingest, int device, int length, int... seqs) {
        List<byte[]> got = ingest.recentHeaders(device);
        List<String> expected = new ArrayList<>();
        for (int seq : seqs) {
            expected.add(hex(header(device, seq, length)));
        }
        List<String> actual = new ArrayList<>();
        for (byte[] h : got) {
            actual.add(hex(h));
        }
        if (!expected.equals(actual)) {
            fail(context + "recentHeaders(" + device + ") must return the 16-byte headers of the device's frames #"
                    + Arrays.toString(seqs).replaceAll("[\\[\\]]", "") + ", oldest first (in the order accept took them).\n  expected: " + expected
                    + "\n  returned: " + actual);
        }
    }

    private static String hex(byte[] bytes) {
        return bytes.length == 0 ? "(0 bytes)" : HexFormat.of().formatHex(bytes);
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / (1024.0 * 1024.0));
    }

    /** A sentence on what keeps the memory: which frames survived, and the path from the ingest to one of them. */
    private static String whatHoldsIt(FrameIngest ingest, List<byte[]> alive, int frames) {
        Finder finder = new Finder(alive);
        finder.search(ingest, "FrameIngest", 0);
        String survivors = alive.size() + " of the " + frames + " frames, archived and dropped long ago, are "
                + "still alive.";
        if (finder.bigArray != null && finder.isFrame) {
            return survivors + " One is reachable as " + finder.path + (finder.viaBuffer
                    ? ": a ByteBuffer whose backing array is that whole " + String.format("%,d", finder.bigArray.length)
                    + "-byte frame. Every kept header still points into its frame."
                    : ": the whole frame array itself.");
        }
        if (finder.bigArray != null) {
            return "The frames themselves were collected, but " + finder.path + (finder.viaBuffer
                    ? " is backed by a " : " is a ") + String.format("%,d", finder.bigArray.length)
                    + "-byte array: a copy of the whole frame, kept for the sake of 16 bytes of header.";
        }
        if (finder.readOnlyPath != null && !alive.isEmpty()) {
            return survivors + " " + finder.readOnlyPath + " is a read-only ByteBuffer: asReadOnlyBuffer() "
                    + "only forbids writes, it is still a view of the frame's array and keeps all of it.";
        }
        return survivors;
    }

    /** Walks the learner's objects (and the collections, maps and buffers they hold) to a large byte array. */
    private static final class Finder {
        private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Object> frames = Collections.newSetFromMap(new IdentityHashMap<>());
        private int budget = 100_000;
        String path;
        byte[] bigArray;
        boolean isFrame;
        boolean viaBuffer;
        String readOnlyPath;

        Finder(List<byte[]> alive) {
            frames.addAll(alive);
        }

        boolean search(Object o, String where, int depth) {
            if (o == null || depth > 12 || --budget < 0 || !seen.add(o)) {
                return false;
            }
            if (o instanceof byte[] bytes) {
                return found(bytes, where, false);
            }
            if (o instanceof ByteBuffer buffer) {
                if (buffer.hasArray()) {
                    return found(buffer.array(), where, true);
                }
                if (buffer.isReadOnly() && !buffer.isDirect() && readOnlyPath == null) {
                    readOnlyPath = where;
                }
                return false;
            }
            if (o instanceof Object[] array) {
                for (int i = 0; i < array.length; i++) {
                    if (search(array[i], where + "[" + i + "]", depth + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (o instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : List.copyOf(map.entrySet())) {
                    if (search(e.getValue(), where + ".get(" + e.getKey() + ")", depth + 1)
                            || search(e.getKey(), where + " (a key)", depth + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (o instanceof Collection<?> collection) {
                Object[] items = collection.toArray();
                for (int i = 0; i < items.length; i++) {
                    if (search(items[i], where + "[" + i + "]", depth + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (o instanceof AtomicReference<?> ref) {
                return search(ref.get(), where + ".get()", depth + 1);
            }
            if (o instanceof Optional<?> optional) {
                return search(optional.orElse(null), where + ".get()", depth + 1);
            }
            if (o instanceof Map.Entry<?, ?> entry) {
                return search(entry.getValue(), where + ".getValue()", depth + 1);
            }
            if (!o.getClass().getPackageName().equals(FrameIngest.class.getPackageName())
                    || o.getClass().getName().startsWith(FrameIngestTest.class.getName())) {
                return false;
            }
            for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                        if (search(f.get(o), where + "." + f.getName(), depth + 1)) {
                            return true;
                        }
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // not readable: go on with the other fields
                    }
                }
            }
            return false;
        }

        private boolean found(byte[] bytes, String where, boolean buffer) {
            if (bytes.length < 4096) {
                return false;
            }
            path = where;
            bigArray = bytes;
            isFrame = frames.contains(bytes);
            viaBuffer = buffer;
            return true;
        }
    }
}
