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

    public String render(PatientSummary patient) {
        StringBuilder json = pool.borrow();
        json.setLength(0); // a pooled buffer holds its last user's text: start empty
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
        } catch (RuntimeException e) {
            pool.release(json); // give the buffer back before reporting the failure
            throw e;
        } finally {
            pool.release(json);
        }
    }
}
