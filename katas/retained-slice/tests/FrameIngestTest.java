package retainedslice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Heap;
import dev.kata.probe.api.Pitfalls;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
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

    @Test
    @Order(1)
    @DisplayName("keeps each device's latest headers, oldest first, and no more")
    void keepsTheLatestHeadersInOrder() {
        AtomicInteger archived = new AtomicInteger();
        FrameIngest ingest = new FrameIngest(4, frame -> archived.incrementAndGet());
        for (int seq = 1; seq <= 10; seq++) {
            ingest.accept(frame(4711, seq, 64));
            if (seq <= 3) {
                ingest.accept(frame(815, seq, 200));
            }
        }
        assertEquals(13, archived.get(), "frames handed to the archive");
        expectHeaders(ingest, 4711, 64, 7, 8, 9, 10);
        expectHeaders(ingest, 815, 200, 1, 2, 3);
        assertEquals(List.of(), ingest.recentHeaders(999), "recentHeaders of a device that never sent anything");

        byte[] handedOut = ingest.recentHeaders(4711).get(0);
        Arrays.fill(handedOut, (byte) 0);
        expectHeaders(ingest, 4711, 64, 7, 8, 9, 10);
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
    @DisplayName("frames from many connection threads at once")
    void framesFromManyThreads() throws Exception {
        int threads = 4;
        int framesPerDevice = 300;
        FrameIngest ingest = new FrameIngest(5, frame -> { });
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> connections = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = 2000 + 2 * t; // every connection thread carries two devices of its own
            connections.add(Thread.ofPlatform().name("connection-" + t).start(() -> {
                try {
                    start.await();
                    for (int seq = 1; seq <= framesPerDevice; seq++) {
                        ingest.accept(frame(first, seq, 48));
                        ingest.accept(frame(first + 1, seq, 48));
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            }));
        }
        start.countDown();
        for (Thread connection : connections) {
            connection.join();
        }
        if (failed.get() != null) {
            throw new AssertionError("accept() failed on a connection thread: " + failed.get(), failed.get());
        }
        for (int device = 2000; device < 2000 + 2 * threads; device++) {
            expectHeaders(ingest, device, 48, 296, 297, 298, 299, 300);
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
            fail("recentHeaders(" + device + ") must return the 16-byte headers of the device's frames #"
                    + Arrays.toString(seqs).replaceAll("[\\[\\]]", "") + ", oldest first.\n  expected: " + expected
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
