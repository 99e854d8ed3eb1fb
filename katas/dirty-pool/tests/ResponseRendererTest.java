package dirtypool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kata.probe.api.Pitfalls;
import dirtypool.ResponseRenderer.BufferPool;
import dirtypool.ResponseRenderer.PatientSummary;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the dirty-pool kata. The tests hand the renderer a pool of their own, which
 * tracks every buffer it lends out and can behave like a busy service: buffers that other
 * components left dirty, and a buffer reused by the next request the moment it is released.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResponseRendererTest {

    private static final PatientSummary ANA =
            new PatientSummary("P-1001", "Ana Silva", List.of("penicillin", "latex"));
    private static final PatientSummary BO = new PatientSummary("P-1002", "Bo Chen", List.of());
    private static final String ANA_JSON =
            "{\"patient\":\"P-1001\",\"name\":\"Ana Silva\",\"allergies\":[\"penicillin\",\"latex\"]}";
    private static final String BO_JSON = "{\"patient\":\"P-1002\",\"name\":\"Bo Chen\",\"allergies\":[]}";

    @Test
    @Order(1)
    void theNextRequestGetsOnlyItsOwnData() {
        TrackingPool pool = new TrackingPool();
        ResponseRenderer renderer = new ResponseRenderer(pool);
        String first = renderer.render(ANA);
        String second = renderer.render(BO);
        assertEquals(ANA_JSON, first, "the response for P-1001 (first request, fresh buffer)");
        if (!second.equals(BO_JSON)) {
            throw Pitfalls.resourceLeak("Two requests in a row, one pooled buffer. The response for Bo Chen "
                    + "(P-1002) was:\n  " + second + "\nIt still holds Ana Silva's record (P-1001) from the "
                    + "previous request: the buffer came back from the pool with her JSON in it, and the "
                    + "renderer appended to it. In a clinical app that is one patient's data shown to "
                    + "another's clinician. A pooled object keeps the state of its last use (Go's sync.Pool "
                    + "says the same: Reset after Get). Clear the buffer when you borrow it.");
        }
        pool.verifyBalanced();
    }

    @Test
    @Order(2)
    void aBufferLeftDirtyBySomeoneElseIsClearedToo() {
        TrackingPool pool = new TrackingPool();
        StringBuilder leftover = new StringBuilder("patient_id;diagnosis\nP-0666;HIV positive\n");
        pool.addFree(leftover); // released, unreset, by the service's CSV exporter
        String response = new ResponseRenderer(pool).render(ANA);
        if (!response.equals(ANA_JSON)) {
            throw Pitfalls.resourceLeak("The pool is shared with other components: the CSV exporter had "
                    + "released a buffer still holding a row about patient P-0666. The response for Ana Silva "
                    + "(P-1001) was:\n  " + response + "\nResetting buffers before you release them only "
                    + "protects you from yourself; the pool promises nothing about what it gives you. Clear "
                    + "the buffer right after you borrow it.");
        }
        pool.verifyBalanced();
    }

    @Test
    @Order(3)
    void aReleasedBufferIsNoLongerTouched() {
        TrackingPool pool = new TrackingPool();
        pool.reuseAtOnce = true; // a busy service: the next request grabs a buffer as soon as it is free
        ResponseRenderer renderer = new ResponseRenderer(pool);
        String response = renderer.render(ANA);
        pool.verifyBalanced();
        if (!response.equals(ANA_JSON)) {
            throw Pitfalls.race("Ana Silva's response was:\n  " + response + "\nThe renderer gave its buffer "
                    + "back to the pool and read it afterwards. Under load, another request borrows a "
                    + "released buffer at once and writes into it, so what was read is someone else's "
                    + "text. Take everything you need out of the buffer (toString) before you release it.");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A pool that knows which buffers are lent out, and can act like a busy service. */
    private static final class TrackingPool implements BufferPool {
        private final Deque<StringBuilder> free = new ArrayDeque<>();
        private final Set<StringBuilder> lent = Collections.newSetFromMap(new IdentityHashMap<>());
        private final List<String> misuse = new ArrayList<>();
        private int borrows;
        boolean reuseAtOnce;

        synchronized void addFree(StringBuilder buffer) {
            free.push(buffer);
        }

        @Override
        public synchronized StringBuilder borrow() {
            borrows++;
            StringBuilder buffer = free.isEmpty() ? new StringBuilder(512) : free.pop();
            lent.add(buffer);
            return buffer;
        }

        @Override
        public synchronized void release(StringBuilder buffer) {
            if (!lent.remove(buffer)) {
                misuse.add("a buffer was released that was not lent out at the time (released twice?)");
                return;
            }
            free.push(buffer);
            if (reuseAtOnce) {
                buffer.setLength(0);
                buffer.append("{\"patient\":\"P-2077\",\"name\":\"Next Request\"");
            }
        }

        synchronized void verifyBalanced() {
            if (!misuse.isEmpty()) {
                throw Pitfalls.race("The renderer released the same buffer twice. The pool now lists it as "
                        + "free twice, so two concurrent requests can borrow the very same StringBuilder and "
                        + "write into each other's responses. Release each borrowed buffer exactly once "
                        + "(a finally block does it; do not add a second release).");
            }
            if (!lent.isEmpty()) {
                throw Pitfalls.resourceLeak(lent.size() + " of " + borrows + " borrowed buffers were never "
                        + "given back to the pool: release each buffer when the response is built.");
            }
        }
    }
}
