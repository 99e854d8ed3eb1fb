package retainedslice;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two connection threads at once, model-checked. Connection A sends the first frame of a new device,
 * then the next frame of a device whose history is full; connection B sends the new device's second
 * frame, then reads the first device's headers, as the support console does. The model
 * checker tries the ways the two threads' steps can interleave until one loses a header, keeps one
 * too many, or lets the console see an update half done (or none does). It finds such an
 * interleaving on every run, however busy the machine, on one core too (where two threads overlap
 * only when one is preempted); the verdict shows it step by step.
 */
@Timeout(value = 60, unit = SECONDS)
class FrameIngestInterleavingsTest {
    private static final int INVOCATIONS = 30;
    private static final int HEADER = FrameIngest.HEADER_BYTES;
    private static final int LENGTH = 40;
    private static final int DEVICE = 4711;
    private static final int NEW_DEVICE = 815;
    private static final String SCENARIO = "Device " + DEVICE + " had sent frames #1 and #2 (headersPerDevice 2),"
            + " device " + NEW_DEVICE + " nothing yet. Then, at once: connection A sent device " + NEW_DEVICE
            + "'s frame #1, then device " + DEVICE + "'s frame #3; connection B sent device " + NEW_DEVICE
            + "'s frame #2, then called recentHeaders(" + DEVICE + ").";

    private static final byte[] D1 = header(DEVICE, 1);
    private static final byte[] D2 = header(DEVICE, 2);
    private static final byte[] D3 = header(DEVICE, 3);
    private static final byte[] E1 = header(NEW_DEVICE, 1);
    private static final byte[] E2 = header(NEW_DEVICE, 2);

    /** Published through fields, so that the model checker follows every access to them. */
    private static FrameIngest ingest;
    private static List<byte[]> consoleSaw;
    private static Throwable failureA;
    private static Throwable failureB;

    @Test
    @DisplayName("two connections at once, one reading a device's headers while the other updates them: no interleaving"
            + " loses a header, keeps one too many, or shows a half-done update (model-checked)")
    void twoConnectionsAtOnce() {
        oneThreadAtATime();
        Interleavings.check(INVOCATIONS, () -> {
            ingest = new FrameIngest(2, frame -> { });
            ingest.accept(frame(DEVICE, 1));
            ingest.accept(frame(DEVICE, 2));
            consoleSaw = null;
            failureA = null;
            failureB = null;
            byte[] third = frame(DEVICE, 3);
            byte[] newFirst = frame(NEW_DEVICE, 1);
            byte[] newSecond = frame(NEW_DEVICE, 2);
            Thread a = new Thread(() -> {
                try {
                    ingest.accept(newFirst);
                    ingest.accept(third);
                } catch (Throwable e) {
                    failureA = e;
                }
            });
            Thread b = new Thread(() -> {
                try {
                    ingest.accept(newSecond);
                    consoleSaw = ingest.recentHeaders(DEVICE);
                } catch (Throwable e) {
                    failureB = e;
                }
            });
            a.start();
            b.start();
            join(a);
            join(b);
            check();
        });
    }

    private static void check() {
        if (failureA != null) {
            throw Pitfalls.race(SCENARIO + "\nConnection A's " + call(failureA) + " threw " + failureA
                    + " (the steps below).");
        }
        if (failureB != null) {
            throw Pitfalls.race(SCENARIO + "\nConnection B's " + call(failureB) + " threw " + failureB
                    + " (the steps below).");
        }
        if (!same(consoleSaw, D1, D2) && !same(consoleSaw, D2, D3)) {
            throw Pitfalls.race(SCENARIO + "\nrecentHeaders(" + DEVICE + ") returned " + describe(DEVICE, consoleSaw)
                    + "; it must return the headers as they were before frame #3 (#[1, 2]) or after it (#[2, 3]),"
                    + " not a list caught halfway through an update (the steps below).");
        }
        List<byte[]> device = afterwards(DEVICE);
        if (!same(device, D2, D3)) {
            throw Pitfalls.race(SCENARIO + "\nAfterwards recentHeaders(" + DEVICE + ") returned "
                    + describe(DEVICE, device) + ", expected the headers of its latest two frames, #[2, 3]"
                    + " (the steps below).");
        }
        List<byte[]> newDevice = afterwards(NEW_DEVICE);
        if (!same(newDevice, E1, E2) && !same(newDevice, E2, E1)) {
            throw Pitfalls.race(SCENARIO + "\nAfterwards recentHeaders(" + NEW_DEVICE + ") returned "
                    + describe(NEW_DEVICE, newDevice) + ", expected the headers of both its frames, #1 and #2, in"
                    + " the order they were accepted (the steps below).");
        }
    }

    /** recentHeaders(device) once both connections are done; if it throws, the two left the cache broken. */
    private static List<byte[]> afterwards(int device) {
        try {
            return ingest.recentHeaders(device);
        } catch (RuntimeException e) {
            throw Pitfalls.race(SCENARIO + "\nOnce both connections were done, recentHeaders(" + device + ") threw " + e
                    + ": the steps below left the device's headers in a state that a call on its own cannot read.");
        }
    }

    /**
     * The same calls, one thread after the other, outside the model checker: they must give the
     * expected headers before any interleaving is tried (else the failure is not about threads).
     */
    private static void oneThreadAtATime() {
        FrameIngest one = new FrameIngest(2, frame -> { });
        one.accept(frame(DEVICE, 1));
        one.accept(frame(DEVICE, 2));
        one.accept(frame(NEW_DEVICE, 1));
        one.accept(frame(DEVICE, 3));
        one.accept(frame(NEW_DEVICE, 2));
        List<byte[]> device = one.recentHeaders(DEVICE);
        List<byte[]> newDevice = one.recentHeaders(NEW_DEVICE);
        if (!same(device, D2, D3) || !same(newDevice, E1, E2)) {
            throw new AssertionError("With one thread, after device " + DEVICE + "'s frames #1, #2, #3 and device "
                    + NEW_DEVICE + "'s #1, #2 (headersPerDevice 2), recentHeaders(" + DEVICE + ") returned "
                    + describe(DEVICE, device) + " and recentHeaders(" + NEW_DEVICE + ") "
                    + describe(NEW_DEVICE, newDevice) + "; expected #[2, 3] and #[1, 2], the 16 bytes of each"
                    + " frame's header. This happens without any other thread.");
        }
    }

    /** The method of FrameIngest the exception came out of, as its stack trace tells. */
    private static String call(Throwable failure) {
        String call = "call";
        for (StackTraceElement e : failure.getStackTrace()) {
            if (e.getClassName().equals(FrameIngest.class.getName())) {
                call = e.getMethodName() + "()";
            }
        }
        return call;
    }

    /** Whether the headers are exactly these, in this order (a plain loop: cheap under the model checker). */
    private static boolean same(List<byte[]> got, byte[]... want) {
        if (got == null || got.size() != want.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            byte[] g = got.get(i);
            if (g == null || g.length != HEADER) {
                return false;
            }
            for (int j = 0; j < HEADER; j++) {
                if (g[j] != want[i][j]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The sequence numbers of the headers, or -1 for one that is not the 16-byte header of one of this device's frames. */
    private static List<Integer> seqs(int device, List<byte[]> headers) {
        List<Integer> seqs = new ArrayList<>();
        if (headers == null) {
            return seqs;
        }
        for (byte[] h : headers) {
            int seq = h != null && h.length == HEADER ? ByteBuffer.wrap(h).getInt(8) : -1;
            boolean own = seq > 0 && Arrays.equals(h, header(device, seq));
            seqs.add(own ? seq : -1);
        }
        return seqs;
    }

    private static String describe(int device, List<byte[]> headers) {
        List<Integer> seqs = seqs(device, headers);
        if (headers == null) {
            return "null";
        }
        if (headers.isEmpty()) {
            return "no headers";
        }
        if (!seqs.contains(-1)) {
            return "the headers of frames #" + seqs;
        }
        List<String> shown = new ArrayList<>();
        for (byte[] h : headers) {
            if (h != null && h.length == HEADER && h[0] == 'K' && h[1] == 'F') {
                ByteBuffer b = ByteBuffer.wrap(h);
                shown.add("device " + b.getInt(4) + " #" + b.getInt(8));
            } else {
                shown.add(h == null ? "null" : h.length == 0 ? "(0 bytes)" : HexFormat.of().formatHex(h));
            }
        }
        return headers.size() + " headers " + shown + ", not all of them headers of device " + device + "'s frames";
    }

    private static byte[] header(int device, int seq) {
        return Arrays.copyOf(frame(device, seq), HEADER);
    }

    /** A small telemetry frame: magic "KF", version 1, flags 0, device, sequence, payload length, payload. */
    private static byte[] frame(int device, int seq) {
        byte[] frame = new byte[LENGTH];
        ByteBuffer.wrap(frame).put((byte) 'K').put((byte) 'F').put((byte) 1).put((byte) 0)
                .putInt(device).putInt(seq).putInt(LENGTH - HEADER);
        frame[HEADER] = (byte) seq;
        return frame;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
