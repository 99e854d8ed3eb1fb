package dev.kata.mutate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each operator on a small source: where it applies, what it makes, and the ids it gives. */
class OperatorsTest {

    private static List<Mutant> mutate(Operator operator, String source) {
        return new MutantGenerator(List.of(operator)).generate("Box.java", source).mutants();
    }

    /** The mutant's source with blank-insensitive comparison made easy: lines stripped, blank lines dropped. */
    private static String code(String source) {
        return String.join("\n", source.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    private static void assertMutants(Operator operator, String source, String... expected) {
        List<Mutant> mutants = mutate(operator, source);
        assertEquals(expected.length, mutants.size(), () -> "mutants: " + mutants.stream().map(Mutant::mutated).toList());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(code(expected[i]), code(mutants.get(i).mutated()), mutants.get(i).id());
        }
    }

    @Test
    void removeSynchronizedFromAMethod() {
        assertMutants(RemoveModifier.SYNCHRONIZED, """
                class Box {
                    private int n;
                    synchronized void add() { n++; }
                    void get() { }
                }""", """
                class Box {
                    private int n;
                    void add() { n++; }
                    void get() { }
                }""");
        assertEquals("remove-synchronized:Box.java:add:1",
                mutate(RemoveModifier.SYNCHRONIZED, "class Box { synchronized void add() {} }").get(0).id());
    }

    @Test
    void removeASynchronizedBlock() {
        assertMutants(CriticalRegion.REMOVE_SYNCHRONIZED_BLOCK, """
                class Box {
                    void add() {
                        synchronized (this) {
                            a();
                            b();
                        }
                    }
                }""", """
                class Box {
                    void add() {
                        a();
                        b();
                    }
                }""");
    }

    @Test
    void removeVolatile() {
        assertMutants(RemoveModifier.VOLATILE, """
                class Box {
                    private volatile boolean stop;
                    private int n;
                }""", """
                class Box {
                    private boolean stop;
                    private int n;
                }""");
        assertEquals("remove-volatile:Box.java:stop:1",
                mutate(RemoveModifier.VOLATILE, "class Box { volatile boolean stop; }").get(0).id());
    }

    private static final String LOCKED = """
            class Box {
                void add() {
                    before();
                    lock.lock();
                    try {
                        a();
                        b();
                    } finally {
                        lock.unlock();
                    }
                    after();
                }
            }""";

    @Test
    void shrinkACriticalRegionAtEitherEnd() {
        assertMutants(CriticalRegion.SHRINK, LOCKED, """
                class Box {
                    void add() {
                        before();
                        a();
                        lock.lock();
                        try {
                            b();
                        } finally {
                            lock.unlock();
                        }
                        after();
                    }
                }""", """
                class Box {
                    void add() {
                        before();
                        lock.lock();
                        try {
                            a();
                        } finally {
                            lock.unlock();
                        }
                        b();
                        after();
                    }
                }""");
    }

    @Test
    void shiftACriticalRegionOneStatementDown() {
        assertMutants(CriticalRegion.SHIFT, """
                class Box {
                    void add() {
                        synchronized (this) {
                            a();
                        }
                        after();
                    }
                }""", """
                class Box {
                    void add() {
                        a();
                        synchronized (this) {
                            after();
                        }
                    }
                }""");
    }

    @Test
    void skipALockRegion() {
        assertMutants(CriticalRegion.SKIP, LOCKED, """
                class Box {
                    void add() {
                        before();
                        a();
                        b();
                        after();
                    }
                }""");
    }

    @Test
    void swapTheOrderOfTwoNestedLocks() {
        assertMutants(new SwapLockOrder(), """
                class Box {
                    void move() {
                        synchronized (from) {
                            synchronized (to) {
                                a();
                            }
                        }
                    }
                }""", """
                class Box {
                    void move() {
                        synchronized (to) {
                            synchronized (from) {
                                a();
                            }
                        }
                    }
                }""");
        assertMutants(new SwapLockOrder(), """
                class Box {
                    void move() {
                        first.lock();
                        try {
                            second.lock();
                            try {
                                a();
                            } finally {
                                second.unlock();
                            }
                        } finally {
                            first.unlock();
                        }
                    }
                }""", """
                class Box {
                    void move() {
                        second.lock();
                        try {
                            first.lock();
                            try {
                                a();
                            } finally {
                                second.unlock();
                            }
                        } finally {
                            first.unlock();
                        }
                    }
                }""");
    }

    @Test
    void removeACallThatReleasesWakesOrWaits() {
        assertMutants(new RemoveCall(), """
                class Box {
                    void run() {
                        done.countDown();
                        worker.join();
                        list.add(1);
                        items.forEach(t -> t.interrupt());
                    }
                }""", """
                class Box {
                    void run() {
                        worker.join();
                        list.add(1);
                        items.forEach(t -> t.interrupt());
                    }
                }""", """
                class Box {
                    void run() {
                        done.countDown();
                        list.add(1);
                        items.forEach(t -> t.interrupt());
                    }
                }""", """
                class Box {
                    void run() {
                        done.countDown();
                        worker.join();
                        list.add(1);
                        items.forEach(t -> {
                        });
                    }
                }""");
    }

    @Test
    void removingTheOnlyStatementOfABlockLeavesTheBracesWhereTheyWere() {
        assertEquals("""
                class Box {
                    void run() {
                        if (previous != null) {
                        }
                    }
                }""", mutate(new RemoveCall(), """
                class Box {
                    void run() {
                        if (previous != null) {
                            previous.cancel(false);
                        }
                    }
                }""").get(0).mutated());
    }

    @Test
    void aTryWithResourcesResourceIsNeverClosed() {
        assertMutants(new RemoveTryResource(), """
                class Box {
                    void run() {
                        try (var pool = Executors.newFixedThreadPool(2)) {
                            pool.submit(task);
                        }
                    }
                }""", """
                class Box {
                    void run() {
                        var pool = Executors.newFixedThreadPool(2);
                        pool.submit(task);
                    }
                }""");
    }

    @Test
    void notifyAllToNotifyAndSignalAllToSignal() {
        assertMutants(new WakeOne(), """
                class Box {
                    void put() {
                        notifyAll();
                        notEmpty.signalAll();
                    }
                }""", """
                class Box {
                    void put() {
                        notify();
                        notEmpty.signalAll();
                    }
                }""", """
                class Box {
                    void put() {
                        notifyAll();
                        notEmpty.signal();
                    }
                }""");
    }

    @Test
    void anHttpServersStopIsACallThatWaitsAndItsDelayATimeout() {
        String source = """
                class Box {
                    void stop() {
                        server.stop(GRACE_SECONDS);
                    }
                }""";
        assertMutants(new RemoveCall(), source, """
                class Box {
                    void stop() {
                    }
                }""");
        assertMutants(Timeouts.SHRINK, source, """
                class Box {
                    void stop() {
                        server.stop((GRACE_SECONDS) / 10);
                    }
                }""");
    }

    @Test
    void shrinkATimeout() {
        assertMutants(Timeouts.SHRINK, """
                class Box {
                    void run() {
                        done.await(500, TimeUnit.MILLISECONDS);
                        f.get(limit, unit);
                        var d = Duration.ofSeconds(30);
                        worker.join(2000L);
                    }
                }""", """
                class Box {
                    void run() {
                        done.await(50, TimeUnit.MILLISECONDS);
                        f.get(limit, unit);
                        var d = Duration.ofSeconds(30);
                        worker.join(2000L);
                    }
                }""", """
                class Box {
                    void run() {
                        done.await(500, TimeUnit.MILLISECONDS);
                        f.get((limit) / 10, unit);
                        var d = Duration.ofSeconds(30);
                        worker.join(2000L);
                    }
                }""", """
                class Box {
                    void run() {
                        done.await(500, TimeUnit.MILLISECONDS);
                        f.get(limit, unit);
                        var d = Duration.ofSeconds(3);
                        worker.join(2000L);
                    }
                }""", """
                class Box {
                    void run() {
                        done.await(500, TimeUnit.MILLISECONDS);
                        f.get(limit, unit);
                        var d = Duration.ofSeconds(30);
                        worker.join(200L);
                    }
                }""");
    }

    @Test
    void dropATimeout() {
        assertMutants(Timeouts.DROP, """
                class Box {
                    void run() {
                        var next = queue.poll(1, TimeUnit.SECONDS);
                        worker.join(2000);
                        future.orTimeout(5, TimeUnit.SECONDS).join();
                    }
                }""", """
                class Box {
                    void run() {
                        var next = queue.take();
                        worker.join(2000);
                        future.orTimeout(5, TimeUnit.SECONDS).join();
                    }
                }""", """
                class Box {
                    void run() {
                        var next = queue.poll(1, TimeUnit.SECONDS);
                        worker.join();
                        future.orTimeout(5, TimeUnit.SECONDS).join();
                    }
                }""", """
                class Box {
                    void run() {
                        var next = queue.poll(1, TimeUnit.SECONDS);
                        worker.join(2000);
                        future.join();
                    }
                }""");
    }

    @Test
    void atomicReadModifyWriteToGetThenSet() {
        assertMutants(new AtomicGetThenSet(), """
                class Box {
                    private final LongAdder total = new LongAdder();
                    void run() {
                        count.incrementAndGet();
                        int id = ids.getAndIncrement();
                        total.add(n);
                        while (!state.compareAndSet(seen, next)) { }
                    }
                }""", """
                class Box {
                    private final LongAdder total = new LongAdder();
                    void run() {
                        count.incrementAndGet();
                        int id = ids.getAndIncrement();
                        {
                            var seen = total.sum();
                            total.reset();
                            total.add(seen + (n));
                        }
                        while (!state.compareAndSet(seen, next)) { }
                    }
                }""", """
                class Box {
                    private final LongAdder total = new LongAdder();
                    void run() {
                        count.set(count.get() + 1);
                        int id = ids.getAndIncrement();
                        total.add(n);
                        while (!state.compareAndSet(seen, next)) { }
                    }
                }""", """
                class Box {
                    private final LongAdder total = new LongAdder();
                    void run() {
                        count.incrementAndGet();
                        int id = ids.getAndSet(ids.get() + 1);
                        total.add(n);
                        while (!state.compareAndSet(seen, next)) { }
                    }
                }""", """
                class Box {
                    private final LongAdder total = new LongAdder();
                    void run() {
                        count.incrementAndGet();
                        int id = ids.getAndIncrement();
                        total.add(n);
                        while (!(state.get() == (seen) && state.compareAndSet(state.get(), next))) { }
                    }
                }""");
    }

    @Test
    void concurrentMapUpdateToGetThenPut() {
        List<Mutant> mutants = mutate(new MapGetThenPut(), """
                class Box {
                    Patient get(String id) {
                        counts.merge(id, 1, Integer::sum);
                        return cache.computeIfAbsent(id, loader::load);
                    }
                }""");

        assertEquals(List.of("map-get-then-put:Box.java:get:1", "map-get-then-put:Box.java:get:2"),
                mutants.stream().map(Mutant::id).toList());
        assertTrue(code(mutants.get(0).mutated()).contains("getThenMerge(counts, id, 1, Integer::sum);"));
        assertTrue(code(mutants.get(0).mutated()).contains("private static <K, V> V getThenMerge("));
        assertTrue(code(mutants.get(1).mutated()).contains("return getThenComputeIfAbsent(cache, id, loader::load);"));
    }

    @Test
    void concurrentCollectionToAPlainOne() {
        assertMutants(new PlainCollection(), """
                class Box {
                    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
                    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
                }""", """
                class Box {
                    private final Map<String, Integer> counts = new java.util.HashMap<>();
                    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
                }""", """
                class Box {
                    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
                    private final List<String> log = new ArrayList<>();
                }""");
    }

    @Test
    void moveAStatementOutOfAFinallyBlock() {
        assertMutants(new OutOfFinally(), """
                class Box {
                    int get() {
                        lock.lock();
                        try {
                            a();
                            return n;
                        } finally {
                            lock.unlock();
                        }
                    }
                }""", """
                class Box {
                    int get() {
                        lock.lock();
                        a();
                        lock.unlock();
                        return n;
                    }
                }""");
    }

    @Test
    void idsNameTheMemberNotTheLineSoUnrelatedEditsKeepThem() {
        String source = """
                class Box {
                    volatile boolean stop;
                    class Worker {
                        void run() { done.countDown(); started.countDown(); }
                    }
                }""";
        List<String> before = new MutantGenerator().generate("Box.java", source).mutants().stream().map(Mutant::id).toList();
        List<String> after = new MutantGenerator().generate("Box.java", "// a comment\n\n" + source.replace(
                "class Worker {", "void other() { }\n    class Worker {")).mutants().stream().map(Mutant::id).toList();

        assertEquals(List.of("remove-volatile:Box.java:stop:1", "remove-call:Box.java:Worker.run:1",
                "remove-call:Box.java:Worker.run:2"), before);
        assertEquals(before, after);
    }

    @Test
    void aFileThatDoesNotParseIsSaid() {
        assertTrue(new MutantGenerator().generate("Box.java", "class {").parseError() != null);
    }
}
