package retainedslice;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The ingest stage of the telemetry gateway. Every frame a device uploads (a 16-byte header, then
 * up to 256 KB of samples) goes to the archive, and the headers of each device's latest frames
 * are kept for the support console ("what did sensor 4711 send last?"). Frames arrive on many
 * connection threads at once.
 */
public final class FrameIngest {

    /**
     * Bytes of a frame header: magic "KF", version, flags, then three big-endian ints: device id,
     * sequence number, payload length.
     */
    public static final int HEADER_BYTES = 16;

    private final int headersPerDevice;
    private final Consumer<byte[]> archive;
    private final Map<Integer, Deque<ByteBuffer>> recent = new ConcurrentHashMap<>();

    /**
     * @param headersPerDevice how many of each device's latest headers to keep
     * @param archive          stores a whole frame (it does not keep it in memory)
     */
    public FrameIngest(int headersPerDevice, Consumer<byte[]> archive) {
        this.headersPerDevice = headersPerDevice;
        this.archive = archive;
    }

    /** Archives one frame and remembers its header. Called from many connection threads. */
    public void accept(byte[] frame) {
        if (frame.length < HEADER_BYTES || frame[0] != 'K' || frame[1] != 'F') {
            throw new IllegalArgumentException("not a telemetry frame");
        }
        // Keep the header first, in an array of its own, then hand the frame to the archive: after
        // that nothing of it is left here to keep it reachable.
        ByteBuffer header = ByteBuffer.wrap(Arrays.copyOfRange(frame, 0, HEADER_BYTES));
        int device = header.getInt(4);
        Deque<ByteBuffer> headers = recent.computeIfAbsent(device, d -> new ArrayDeque<>());
        synchronized (headers) {
            headers.addLast(header);
            if (headers.size() > headersPerDevice) {
                headers.removeFirst();
            }
        }
        archive.accept(frame);
    }

    /** The headers of the device's latest frames, oldest first, as copies the console may keep. */
    public List<byte[]> recentHeaders(int device) {
        Deque<ByteBuffer> headers = recent.get(device);
        if (headers == null) {
            return List.of();
        }
        List<byte[]> copies = new ArrayList<>();
        synchronized (headers) {
            for (ByteBuffer header : headers) {
                ByteBuffer view = header.duplicate();
                byte[] bytes = new byte[view.remaining()];
                view.get(bytes);
                copies.add(bytes);
            }
        }
        return copies;
    }
}
