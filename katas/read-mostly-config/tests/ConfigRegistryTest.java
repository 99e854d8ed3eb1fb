package readmostlyconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
import dev.kata.probe.api.Pitfalls;
import dev.kata.probe.api.RaceDetector;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigRegistryTest {

    private static final String HOST = "db.host";
    private static final String PORT = "db.port";
    private static final String HOST_A = "records-a.internal";
    private static final String PORT_A = "5432";
    private static final String HOST_B = "records-b.internal";
    private static final String PORT_B = "6432";
    /** A setting the registry starts without. */
    private static final String NEW_KEY = "db.replica.host";

    private static Map<String, String> initial() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(HOST, HOST_A);
        m.put(PORT, PORT_A);
        m.put("db.pool.size", "20");
        m.put("request.timeout.ms", "800");
        m.put("feature.new-triage", "off");
        return m;
    }

    // ------------------------------------------------------------------------------------
    // 1. A failover caught halfway: the new host is in, the new port is not yet.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @DisplayName("requests reading the config during a failover never see it half-applied")
    void readersNeverSeeAHalfAppliedChange() throws Exception {
        ConfigRegistry registry = new ConfigRegistry(initial());
        PausingChange failover = new PausingChange(Map.entry(HOST, HOST_B), Map.entry(PORT, PORT_B));

        Worker watcher = new Worker("config-watcher", () -> registry.apply(failover));
        watcher.start();
        // Wait until apply() is between the two keys of the change (if it ever looks at them one by one).
        failover.paused.await(2, TimeUnit.SECONDS);

        List<Worker> requests = new ArrayList<>();
        List<AtomicReference<Map<String, String>>> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AtomicReference<Map<String, String>> got = new AtomicReference<>();
            seen.add(got);
            requests.add(new Worker("request-" + (i + 1), () -> got.set(registry.snapshot())));
        }
        requests.forEach(Worker::start);
        // The requests either answer at once, or wait because the change is being applied
        // (a lock): let them get that far, then let the watcher finish the change.
        awaitSettled(requests, 1000);
        failover.resume.countDown();
        watcher.join();
        for (Worker r : requests) {
            r.join();
        }
        watcher.rethrow();
        requests.forEach(Worker::rethrow);

        for (int i = 0; i < requests.size(); i++) {
            Map<String, String> s = seen.get(i).get();
            String host = s.get(HOST);
            String port = s.get(PORT);
            boolean old = HOST_A.equals(host) && PORT_A.equals(port);
            boolean updated = HOST_B.equals(host) && PORT_B.equals(port);
            if (!old && !updated) {
                throw Pitfalls.race("request-" + (i + 1) + " took a snapshot while the failover was being applied and"
                        + " got " + HOST + "=" + host + " with " + PORT + "=" + port + ": the new host with the old"
                        + " port, a database that does not exist. The change was written into the live map one key"
                        + " at a time, and readers can look at it in between. The failover must become visible all"
                        + " at once: readers must see the old settings or the new ones, never a mix.");
            }
        }
        assertEquals(HOST_B, registry.get(HOST), "the failover's host once it is applied");
        assertEquals(PORT_B, registry.get(PORT), "the failover's port once it is applied");
        assertEquals("20", registry.get("db.pool.size"), "a setting the failover did not touch");
    }

    // ------------------------------------------------------------------------------------
    // 2. Two changes pushed at the same moment both take effect.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(2)
    @DisplayName("two changes applied at the same moment both take effect")
    void concurrentChangesAreBothKept() throws Exception {
        ConfigRegistry registry = new ConfigRegistry(initial());
        PausingChange triage = new PausingChange(Map.entry("feature.new-triage", "on"),
                Map.entry("triage.model", "v2"));
        Worker first = new Worker("config-watcher-1", () -> registry.apply(triage));
        first.start();
        triage.paused.await(2, TimeUnit.SECONDS);
        Worker second = new Worker("config-watcher-2", () -> registry.apply(Map.of("request.timeout.ms", "1200")));
        second.start();
        awaitSettled(List.of(second), 1000);
        triage.resume.countDown();
        first.join();
        second.join();
        first.rethrow();
        second.rethrow();

        String timeout = registry.get("request.timeout.ms");
        if (!"1200".equals(timeout)) {
            throw Pitfalls.race("An operator raised request.timeout.ms to 1200 while another change (the new triage"
                    + " switch) was being applied, and the raise is gone: request.timeout.ms=" + timeout + "."
                    + " Both changes copied the same old settings, added their own keys and published their"
                    + " copy; the one published last overwrote the other (a lost update). Changes must be"
                    + " applied one at a time, each to the latest settings.");
        }
        assertEquals("on", registry.get("feature.new-triage"), "the triage switch");
        assertEquals("v2", registry.get("triage.model"), "the triage model that goes with it");
    }

    // ------------------------------------------------------------------------------------
    // 3. Many failovers back and forth while requests read.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(3)
    @DisplayName("requests reading while failovers flip back and forth always see a matching host and port")
    void readersSeeMatchingPairsUnderLoad() throws Exception {
        final int failovers = 2_000;
        final int readers = 3;
        ConfigRegistry registry = new ConfigRegistry(initial());
        CyclicBarrier start = new CyclicBarrier(readers + 1);
        AtomicBoolean over = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger applied = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            threads.add(Thread.ofPlatform().name("request-" + (r + 1)).start(() -> {
                try {
                    start.await();
                    // Only the registry may order this request's reads after the watcher's writes: the
                    // race detector then sees every read that nothing in it orders, however late.
                    RaceDetector.isolateCurrentThread();
                    while (!over.get() && torn.get() == null) {
                        Map<String, String> s = registry.snapshot();
                        String host = s.get(HOST);
                        String port = s.get(PORT);
                        if (!(HOST_A.equals(host) && PORT_A.equals(port)) && !(HOST_B.equals(host) && PORT_B.equals(port))) {
                            torn.compareAndSet(null, HOST + "=" + host + " with " + PORT + "=" + port);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        Thread watcher = Thread.ofPlatform().name("config-watcher").start(() -> {
            try {
                start.await();
                for (int i = 0; i < failovers && torn.get() == null; i++) {
                    Map<String, String> change = new LinkedHashMap<>();
                    change.put(HOST, i % 2 == 0 ? HOST_B : HOST_A);
                    change.put(PORT, i % 2 == 0 ? PORT_B : PORT_A);
                    registry.apply(change);
                    applied.incrementAndGet();
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                over.set(true);
            }
        });
        // Generous on a busy machine, where the watcher shares the cores with the spinning readers.
        long patience = Patience.millis(2000, 10_000);
        watcher.join(patience);
        over.set(true);
        for (Thread t : threads) {
            t.join(patience);
        }
        if (watcher.isAlive() || threads.stream().anyMatch(Thread::isAlive)) {
            fail(watcher.isAlive()
                    ? "the config watcher was still applying failovers " + patience + " ms after they began ("
                            + applied.get() + " of " + failovers + " applied)"
                    : "a reader was still inside the registry " + patience + " ms after the failovers began");
        }
        if (torn.get() != null) {
            throw Pitfalls.race("While failovers were applied, a request's snapshot held " + torn.get()
                    + ": half of one change. Readers must see the old settings or the new ones, never a mix.");
        }
        if (failure.get() != null) {
            throw Pitfalls.race("A request or the config watcher failed while the config was changed under it: "
                    + failure.get() + ". Reading a map while another thread writes into it is not safe.");
        }
    }

    // ------------------------------------------------------------------------------------
    // 4. A snapshot is a snapshot.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(4)
    @DisplayName("a snapshot keeps its values when the config changes later")
    void aSnapshotDoesNotChangeLater() {
        Map<String, String> start = initial();
        ConfigRegistry registry = new ConfigRegistry(start);
        start.put(HOST, "changed-by-the-caller");
        assertEquals(HOST_A, registry.get(HOST), "the registry must keep its own copy of the initial settings");

        Map<String, String> before = registry.snapshot();
        registry.apply(Map.of(HOST, HOST_B, PORT, PORT_B));
        if (!HOST_A.equals(before.get(HOST)) || !PORT_A.equals(before.get(PORT))) {
            throw Pitfalls.race("A snapshot taken before the failover now shows " + HOST + "=" + before.get(HOST)
                    + ", " + PORT + "=" + before.get(PORT) + ": snapshot() handed out the live settings, not a"
                    + " copy, so a request that reads host and port one after the other can still see half a"
                    + " change.");
        }
        assertEquals(HOST_B, registry.get(HOST), "host after the failover");
        assertEquals(PORT_B, registry.snapshot().get(PORT), "port after the failover");
        assertNull(registry.get("no.such.key"), "an unknown key has no value");

        // changes of a single key, to a setting the snapshot has and to one it has not
        Map<String, String> afterFailover = registry.snapshot();
        registry.apply(Map.of(PORT, "7432"));
        registry.apply(Map.of("audit.enabled", "true"));
        if (!PORT_B.equals(afterFailover.get(PORT)) || afterFailover.containsKey("audit.enabled")) {
            throw Pitfalls.race("A snapshot taken after the failover showed " + PORT + "=" + PORT_B + " and no"
                    + " audit.enabled; after two changes of one key each (" + PORT + "=7432, then"
                    + " audit.enabled=true) it shows " + PORT + "=" + afterFailover.get(PORT) + " and audit.enabled="
                    + afterFailover.get("audit.enabled") + ": it changed after it was taken.");
        }
        assertEquals("7432", registry.get(PORT), "port after a change of that one key");
        assertEquals("true", registry.snapshot().get("audit.enabled"), "a setting added by a change of one key");

        // A request that edits the snapshot it was handed (the map's own business, or refused) changes no
        // other request's settings.
        Map<String, String> mine = registry.snapshot();
        Map<String, String> theirs = registry.snapshot();
        String edit;
        try {
            mine.put(HOST, "edited-by-one-request");
            mine.remove(PORT);
            edit = "put " + HOST + "=edited-by-one-request and removed " + PORT + " from it";
        } catch (UnsupportedOperationException refused) {
            return; // an unmodifiable snapshot: nobody can change it
        }
        List<String> seen = new ArrayList<>();
        if (!HOST_B.equals(theirs.get(HOST)) || !"7432".equals(theirs.get(PORT))) {
            seen.add("another request's snapshot, taken before, now shows " + HOST + "=" + theirs.get(HOST) + ", "
                    + PORT + "=" + theirs.get(PORT));
        }
        if (!HOST_B.equals(registry.get(HOST)) || !"7432".equals(registry.get(PORT))) {
            seen.add("get() now answers " + HOST + "=" + registry.get(HOST) + ", " + PORT + "=" + registry.get(PORT));
        }
        Map<String, String> later = registry.snapshot();
        if (!HOST_B.equals(later.get(HOST)) || !"7432".equals(later.get(PORT))) {
            seen.add("a snapshot taken later shows " + HOST + "=" + later.get(HOST) + ", " + PORT + "=" + later.get(PORT));
        }
        if (!seen.isEmpty()) {
            throw Pitfalls.race("One request edited the snapshot it was handed (it " + edit + "), and no change was"
                    + " applied; yet "
                    + String.join("; ", seen) + ". snapshot() handed out a map that other requests and the registry"
                    + " share: hand each request a copy, or a map nobody can change.");
        }
    }

    // ------------------------------------------------------------------------------------
    // 5. A change that fails halfway (its map throws at the second key): none of it takes
    //    effect, and readers and writers on other threads carry on.
    // ------------------------------------------------------------------------------------

    @Test
    @Order(5)
    @DisplayName("a change that fails halfway takes no effect, and other threads can still read and apply")
    void aChangeThatFailsHalfwayTakesNoEffect() throws Exception {
        Throwable[] kinds = {new IllegalStateException("operator's change is corrupt"), new AssertionError("bad entry"),
            new IllegalStateException("operator's change is corrupt")};
        for (int k = 0; k < kinds.length; k++) {
            Throwable thrown = kinds[k];
            boolean newKeyFirst = k == 2; // the failing change's first key is a setting the registry does not have yet
            String scenario = (newKeyFirst ? "a change adding " + NEW_KEY + " and then moving the host" : "a failover")
                    + " whose map throws " + thrown + " when asked for its second key";
            ConfigRegistry registry = new ConfigRegistry(initial());
            PausingChange failing = newKeyFirst ? new PausingChange(Map.entry(NEW_KEY, "on"), Map.entry(HOST, HOST_B))
                    : new PausingChange(Map.entry(HOST, HOST_B), Map.entry(PORT, PORT_B));
            failing.failWith = thrown;
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread watcher = Thread.ofPlatform().name("config-watcher-1").daemon().start(() -> {
                try {
                    registry.apply(failing);
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            watcher.join(1000);
            if (watcher.isAlive()) {
                fail("apply() did not return within 1 s for " + scenario);
            }
            boolean causedByIt = false;
            for (Throwable e = seen.get(); e != null && !causedByIt; e = e.getCause() == e ? null : e.getCause()) {
                causedByIt = e == thrown;
            }
            if (!causedByIt) {
                fail("apply() of " + scenario + " " + (seen.get() == null ? "returned normally"
                        : "threw " + seen.get()) + ": the operator must learn that the change failed (the"
                        + " failure itself, or an exception caused by it)");
            }
            AtomicReference<Object> read = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().name("request-1").daemon().start(() -> {
                try {
                    read.set(registry.snapshot());
                    registry.apply(Map.of("request.timeout.ms", "1200"));
                } catch (Throwable e) {
                    read.set(e);
                }
            });
            reader.join(1000);
            if (reader.isAlive()) {
                fail("after " + scenario + ", a request on another thread could not take a snapshot and apply a change"
                        + " within 1 s: it is " + reader.getState() + ". Something the failed apply() took (a lock?) was"
                        + " never released.");
            }
            if (read.get() instanceof Throwable e) {
                fail("after " + scenario + ", another thread's snapshot or change failed: " + e, e);
            }
            @SuppressWarnings("unchecked")
            Map<String, String> s = (Map<String, String>) read.get();
            if (!HOST_A.equals(s.get(HOST)) || !PORT_A.equals(s.get(PORT))) {
                throw Pitfalls.race("after " + scenario + ", the settings show " + HOST + "=" + s.get(HOST) + " with "
                        + PORT + "=" + s.get(PORT) + ": part of the failed change took effect. A change that"
                        + " fails must leave the settings as they were: all of it or none of it.");
            }
            if (s.containsKey(NEW_KEY)) {
                fail("after " + scenario + ", a snapshot holds " + NEW_KEY + "=" + s.get(NEW_KEY) + ", a setting only"
                        + " the failed change had: a change that fails must leave the settings as they were, with no"
                        + " key it added.");
            }
            assertEquals("1200", registry.get("request.timeout.ms"), "a change applied after the failed one ("
                    + scenario + ")");
            assertEquals(HOST_A, registry.get(HOST), "the host after " + scenario + " and a later change");
        }
    }

    // ------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * A change whose iteration pauses once, just before it hands out its second key, until the
     * test says so: it holds apply() exactly between the two keys of one change.
     */
    private static final class PausingChange extends AbstractMap<String, String> {
        private final Map<String, String> entries = new LinkedHashMap<>();
        private final AtomicBoolean pausedOnce = new AtomicBoolean();
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        /** When set, the iteration throws this instead of handing out the second key. */
        volatile Throwable failWith;

        @SafeVarargs
        PausingChange(Map.Entry<String, String>... keys) {
            for (Map.Entry<String, String> e : keys) {
                entries.put(e.getKey(), e.getValue());
            }
        }

        @Override
        public String get(Object key) {
            return entries.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return entries.containsKey(key);
        }

        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public Set<Map.Entry<String, String>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, String>> iterator() {
                    Iterator<Map.Entry<String, String>> it = entries.entrySet().iterator();
                    return new Iterator<>() {
                        private int handedOut;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Map.Entry<String, String> next() {
                            if (handedOut == 1 && failWith != null) {
                                throw ConfigRegistryTest.<RuntimeException>sneaky(failWith);
                            }
                            if (handedOut == 1 && pausedOnce.compareAndSet(false, true)) {
                                paused.countDown();
                                try {
                                    resume.await(3, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            handedOut++;
                            Map.Entry<String, String> e = it.next();
                            return Map.entry(e.getKey(), e.getValue());
                        }
                    };
                }

                @Override
                public int size() {
                    return entries.size();
                }
            };
        }
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** A thread of the service: a request or the config watcher. */
    private static final class Worker {
        final String name;
        final Thread thread;
        volatile boolean entered;
        volatile Throwable failure;

        Worker(String name, Action action) {
            this.name = name;
            this.thread = Thread.ofPlatform().name(name).unstarted(() -> {
                entered = true;
                try {
                    action.run();
                } catch (Throwable e) {
                    failure = e;
                }
            });
        }

        void start() {
            thread.start();
        }

        void join() throws InterruptedException {
            thread.join(2000);
            if (thread.isAlive()) {
                fail(name + " was still inside the registry 2 s after the change was let through: it waits for"
                        + " something that will not happen");
            }
        }

        void rethrow() {
            if (failure != null) {
                fail(name + " failed: " + failure, failure);
            }
        }
    }

    /** Waits until every worker has finished or is waiting inside the registry, three samples in a row. */
    private static void awaitSettled(List<Worker> workers, long capMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(capMs);
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() < deadline) {
            boolean settled = true;
            for (Worker w : workers) {
                Thread.State s = w.thread.getState();
                settled &= s == Thread.State.TERMINATED || w.entered && (s == Thread.State.BLOCKED
                        || s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING);
            }
            quiet = settled ? quiet + 1 : 0;
            Thread.sleep(2);
        }
    }
}
