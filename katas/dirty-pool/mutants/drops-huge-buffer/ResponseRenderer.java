package dirtypool;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Renders patient summaries as JSON for the clinicians' app. Rendering happens on every
 * request, so the text is built in a StringBuilder borrowed from a pool shared by the
 * service's renderers, instead of a new one each time.
 */
public final class ResponseRenderer {

    public record PatientSummary(String id, String name, List<String> allergies) {
    }

    /** A pool of reusable buffers. A buffer comes back holding whatever its last user left in it. */
    public interface BufferPool {
        StringBuilder borrow();

        void release(StringBuilder buffer);

        /** A simple pool for the service: lock-free, grows to the peak number of buffers in use. */
        static BufferPool create() {
            ConcurrentLinkedDeque<StringBuilder> free = new ConcurrentLinkedDeque<>();
            return new BufferPool() {
                @Override
                public StringBuilder borrow() {
                    StringBuilder buffer = free.poll();
                    return buffer != null ? buffer : new StringBuilder(512);
                }

                @Override
                public void release(StringBuilder buffer) {
                    free.push(buffer);
                }
            };
        }
    }

    private final BufferPool pool;

    public ResponseRenderer(BufferPool pool) {
        this.pool = pool;
    }

    /** Leftovers bigger than this are not worth keeping in the pool. */
    private static final int MAX_POOLED_CAPACITY = 16 * 1024;

    public String render(PatientSummary patient) {
        StringBuilder json = pool.borrow();
        if (json.capacity() > MAX_POOLED_CAPACITY) {
            // A huge leftover (e.g. from a CSV export) would pin memory forever. A pool may drop
            // objects at any time, like Go's sync.Pool, so let this one go and start fresh.
            json = new StringBuilder(512);
        } else {
            json.setLength(0); // Go: buf.Reset() after pool.Get()
        }
        try {
            json.append("{\"patient\":\"").append(patient.id())
                    .append("\",\"name\":\"").append(patient.name())
                    .append("\",\"allergies\":[");
            for (int i = 0; i < patient.allergies().size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                json.append('"').append(patient.allergies().get(i)).append('"');
            }
            json.append("]}");
            return json.toString();
        } finally {
            pool.release(json);
        }
    }
}
