package dirtypool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.PitfallFailure;
import dev.kata.probe.api.Pitfalls;
import dirtypool.ResponseRenderer.BufferPool;
import dirtypool.ResponseRenderer.PatientSummary;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
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
        if (pool.borrows() < 2) {
            fail("Two responses were rendered, and the pool lent " + pool.borrows() + " buffer"
                    + (pool.borrows() == 1 ? "" : "s") + ": each render borrows its buffer from the pool, which is"
                    + " there so that no request allocates a large buffer of its own.");
        }
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
        String released = pool.heldAtRelease(leftover);
        if (released != null && released.contains("P-0666")) {
            throw Pitfalls.resourceLeak("The response for Ana Silva (P-1001) was right, but the buffer went back "
                    + "to the pool still holding the CSV exporter's row about patient P-0666 before her JSON ("
                    + released.length() + " chars at its release). The response must start from an empty "
                    + "buffer: rendering after what was left in it keeps another component's data in the pool, "
                    + "and the buffer grows with every request that borrows it. Clear the buffer right after "
                    + "you borrow it.");
        }
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
                    + "text. Take everything you need out of the buffer (toString) before you release it.")
                    .inOrderedScenario();
        }
    }

    /**
     * On the failure path too: the buffer released, the next request writes into it at once, and
     * nothing the renderer does then (a log line about the failed render, say) may read it. Output
     * is the only place such a read shows, so the test reads what render() prints.
     */
    @Test
    @Order(3)
    void aFailedRenderReadsNothingOfItsReleasedBuffer() {
        TrackingPool pool = new TrackingPool();
        pool.reuseAtOnce = true;
        IllegalStateException thrown = new IllegalStateException("allergy list unavailable");
        PatientSummary patient = new PatientSummary("P-4100", "Failing Render",
                failingList(List.of("allergen-0", "allergen-1", "allergen-2"), 1, thrown));
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, Math.max(0, Math.min(len, 64 * 1024 - count))); // the first 64 KiB will do
            }

            @Override
            public synchronized void write(int b) {
                if (count < 64 * 1024) {
                    super.write(b);
                }
            }
        };
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.PrintStream capture = new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8);
        Object result;
        System.setOut(capture);
        System.setErr(capture);
        try {
            result = new ResponseRenderer(pool).render(patient);
        } catch (Throwable e) {
            result = e;
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        out.print(text); // as the renderer printed it
        if (result != thrown) {
            fail("render " + (result instanceof Throwable ? "threw " + result : "returned " + result) + " when the"
                    + " patient's allergy list threw " + thrown + ": the failure must reach the caller as it is");
        }
        pool.verifyBalanced();
        if (text.contains("Next Request")) {
            throw Pitfalls.race("Rendering P-4100 failed midway (its allergy list threw), and while render() was"
                    + " failing it printed the next request's data:\n  " + text.strip() + "\nThe buffer had been"
                    + " released, and the next request had already written into it: whatever reads a released"
                    + " buffer (a log line about the failure too) reads someone else's patient. Take what you"
                    + " need out of the buffer before you release it.").inOrderedScenario();
        }
    }

    @Test
    @Order(4)
    @DisplayName("seeded scenarios: dirty and fresh buffers, busy pools, allergy lists that fail midway")
    void seededScenarios() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String[] junk = {"", "{", "patient_id;diagnosis\nP-0666;HIV positive\n", "x".repeat(1_000_000)}; // the last: a whole ward's CSV export
        for (int n = 1; n <= 60; n++) {
            int failure = n % 4; // every kind of outcome in every run, not only when the seed allows it
            int allergyCount = failure == 0 ? new int[] {0, 1, 3, 300}[random.nextInt(4)]
                    : new int[] {1, 3, 300}[random.nextInt(3)];
            List<String> allergies = new ArrayList<>();
            for (int i = 0; i < allergyCount; i++) {
                allergies.add("allergen-" + i);
            }
            int failAt = failure == 0 ? -1 : random.nextInt(allergyCount);
            Throwable thrown = switch (failure) {
                case 1 -> new IllegalStateException("allergy list unavailable");
                case 2 -> new AssertionError("corrupt allergy");
                case 3 -> new IndexOutOfBoundsException( // a live list that shrank while it was read
                        "Index " + failAt + " out of bounds for length " + failAt);
                default -> null;
            };
            PatientSummary patient = new PatientSummary("P-" + (3000 + n), "Patient " + n,
                    failAt < 0 ? allergies : failingList(allergies, failAt, thrown));
            TrackingPool pool = new TrackingPool();
            String dirt = junk[n / 4 % junk.length]; // every leftover with every kind of outcome, in every run
            if (!dirt.isEmpty() || random.nextBoolean()) {
                pool.addFree(new StringBuilder(dirt));
            }
            pool.reuseAtOnce = random.nextBoolean();
            String scenario = String.format("seed %d, scenario %d: %d %s%s, pool %s%s", seed, n, allergyCount,
                    allergyCount == 1 ? "allergy" : "allergies",
                    failAt < 0 ? "" : ", the list throws " + thrown + " at index " + failAt,
                    dirt.isEmpty() ? "with a clean buffer" : "with a buffer left holding " + dirt.length() + (dirt.length() == 1 ? " char" : " chars"),
                    pool.reuseAtOnce ? ", the next request reusing a released buffer at once" : "");
            String expected = json(patient.id(), patient.name(), allergies);
            Object result;
            try {
                result = new ResponseRenderer(pool).render(patient);
            } catch (Throwable e) {
                result = e;
            }
            if (thrown == null && !expected.equals(result)) {
                fail("render returned\n  " + result + "\ninstead of\n  " + expected + "\n(" + scenario + ")");
            }
            if (thrown != null && result != thrown) {
                if (result instanceof Throwable) {
                    fail("render threw " + result + " when the patient's allergy list threw " + thrown + " ("
                            + scenario + "): the failure must reach the caller as it is");
                }
                fail("render returned a response instead of the failure when the patient's allergy list threw "
                        + thrown + " (" + scenario + "):\n  " + result + "\nThe failure must reach the caller as"
                        + " it is, whatever its type: a response built from part of the list tells the clinician"
                        + " the rest is not there.");
            }
            try {
                pool.verifyBalanced();
            } catch (PitfallFailure e) { // the same pitfall, with the scenario that showed it
                PitfallFailure withScenario = new PitfallFailure(e.reason(), e.getMessage() + " (" + scenario + ")");
                withScenario.initCause(e);
                throw e.ordered() ? withScenario.inOrderedScenario() : withScenario;
            } catch (AssertionError e) {
                AssertionError withScenario = new AssertionError(e.getMessage() + " (" + scenario + ")", e);
                throw withScenario;
            }
        }
    }

    @Test
    @Order(5)
    @DisplayName("many requests at once on one shared pool each get only their own patient's JSON")
    void concurrentRequestsGetTheirOwnJson() throws Exception {
        BufferPool shared = BufferPool.create();
        ResponseRenderer renderer = new ResponseRenderer(shared);
        int threads = 4;
        int each = 2_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<String> wrong = new AtomicReference<>();
        AtomicInteger rendered = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers.add(Thread.ofPlatform().name("request-" + (me + 1)).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each && wrong.get() == null; i++) {
                        List<String> allergies = i % 3 == 0 ? List.of() : List.of("a" + me, "b" + i);
                        PatientSummary p = new PatientSummary("P-" + me + "-" + i, "N" + me, allergies);
                        String got = renderer.render(p);
                        rendered.incrementAndGet();
                        String expected = json(p.id(), p.name(), allergies);
                        if (!expected.equals(got)) {
                            wrong.compareAndSet(null, "request-" + (me + 1) + " got\n  " + got + "\ninstead of\n  "
                                    + expected);
                        }
                    }
                } catch (Throwable e) {
                    wrong.compareAndSet(null, "request-" + (me + 1) + " failed: " + e);
                }
            }));
        }
        // Stuck only when no response at all is rendered for a while: a busy machine slows them down.
        long patience = Patience.millis(1500, 10_000);
        for (Thread w : workers) {
            int seen = -1;
            while (w.isAlive()) {
                int now = rendered.get();
                if (now == seen) {
                    fail(w.getName() + " had not rendered its " + each + " responses, and no response was"
                            + " rendered for " + patience + " ms (" + now + " of " + threads * each + " done)");
                }
                seen = now;
                w.join(patience);
            }
        }
        if (wrong.get() != null) {
            throw Pitfalls.race(threads + " threads rendered " + each + " responses each through one shared pool, and "
                    + wrong.get() + "\nTwo requests used the same buffer at the same time, or one read a buffer"
                    + " after another had borrowed it.");
        }
    }

    private static String json(String id, String name, List<String> allergies) {
        StringBuilder sb = new StringBuilder("{\"patient\":\"").append(id).append("\",\"name\":\"").append(name)
                .append("\",\"allergies\":[");
        for (int i = 0; i < allergies.size(); i++) {
            sb.append(i > 0 ? "," : "").append('"').append(allergies.get(i)).append('"');
        }
        return sb.append("]}").toString();
    }

    /** The allergies, but the list throws when asked for element {@code failAt}. */
    private static List<String> failingList(List<String> allergies, int failAt, Throwable thrown) {
        return new java.util.AbstractList<>() {
            @Override
            public String get(int index) {
                if (index == failAt) {
                    throw ResponseRendererTest.<RuntimeException>sneaky(thrown);
                }
                return allergies.get(index);
            }

            @Override
            public int size() {
                return allergies.size();
            }

            /** The same failure through an iterator (a for-each loop, String.join, a stream), as it is. */
            @Override
            public java.util.Iterator<String> iterator() {
                return new java.util.Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size();
                    }

                    @Override
                    public String next() {
                        if (!hasNext()) {
                            throw new java.util.NoSuchElementException();
                        }
                        return get(next++);
                    }
                };
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    // ------------------------------------------------------------------ helpers

    /** A pool that knows which buffers are lent out, and can act like a busy service. */
    private static final class TrackingPool implements BufferPool {
        private final Deque<StringBuilder> free = new ArrayDeque<>();
        private final Set<StringBuilder> lent = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<StringBuilder> everLent = Collections.newSetFromMap(new IdentityHashMap<>());
        private final List<String> misuse = new ArrayList<>();
        private final Map<StringBuilder, String> atRelease = new IdentityHashMap<>();
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
            everLent.add(buffer);
            return buffer;
        }

        @Override
        public synchronized void release(StringBuilder buffer) {
            if (!lent.remove(buffer)) {
                misuse.add(everLent.contains(buffer) ? "twice" : "never lent");
                return;
            }
            free.push(buffer);
            if (reuseAtOnce) {
                buffer.setLength(0);
                buffer.append("{\"patient\":\"P-2077\",\"name\":\"Next Request\"");
            }
            atRelease.put(buffer, buffer.toString());
        }

        synchronized int borrows() {
            return borrows;
        }

        /** What {@code buffer} held when it was last released, or null. */
        synchronized String heldAtRelease(StringBuilder buffer) {
            return atRelease.get(buffer);
        }

        /** Fails if a buffer changed after it was released (while the pool held it). */
        synchronized void verifyUntouchedSinceRelease() {
            for (StringBuilder b : free) {
                String then = atRelease.get(b);
                if (then != null && !then.contentEquals(b)) {
                    throw Pitfalls.race("The renderer wrote to a buffer after releasing it: when it was released"
                            + " it held\n  " + then + "\nand after render() returned it held\n  " + b + "\nA"
                            + " released buffer may already belong to the next request; whatever the renderer"
                            + " does to it after release() (clearing it, say) lands in that request's response.")
                            .inOrderedScenario();
                }
            }
        }

        synchronized void verifyBalanced() {
            verifyUntouchedSinceRelease();
            if (misuse.contains("twice")) {
                throw Pitfalls.race("The renderer released the same buffer twice. The pool now lists it as "
                        + "free twice, so two concurrent requests can borrow the very same StringBuilder and "
                        + "write into each other's responses. Release each borrowed buffer exactly once "
                        + "(a finally block does it; do not add a second release).").inOrderedScenario();
            }
            if (misuse.contains("never lent")) {
                throw Pitfalls.resourceLeak("The renderer released a buffer the pool never lent, "
                        + (lent.isEmpty() ? "" : "and " + lent.size() + " of " + borrows + " borrowed buffers were"
                                + " never given back, ") + "in a render that borrowed " + borrows + ". Release the"
                        + " buffer you borrowed, exactly once per borrow, whatever it held: the pool decides what"
                        + " to keep.");
            }
            if (!lent.isEmpty()) {
                throw Pitfalls.resourceLeak(lent.size() + " of " + borrows + " borrowed buffers were never "
                        + "given back to the pool: release each borrowed buffer once, also when rendering fails.");
            }
        }
    }
}
