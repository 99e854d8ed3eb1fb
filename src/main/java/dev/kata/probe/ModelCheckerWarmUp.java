package dev.kata.probe;

import dev.kata.probe.api.Interleavings;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts the model checker while the grader is still compiling, in a test JVM of a kata whose
 * tests use it: its first run attaches its agent and instruments the JDK classes it meets, which
 * costs seconds of CPU, once per JVM. Run on a thread of the probe's, and awaited before the
 * first test, so that no test's time limit pays for it. Reflection only: other test JVMs do not
 * have the checker on their class path, and this class must load there too.
 */
final class ModelCheckerWarmUp {
    static final String ENABLED = "kata.modelChecker";
    /**
     * Set for a check that stops at its first failure (see grader.ModelChecker.LAZY_FLAG): the
     * warm-up waits for the first test class that uses the checker, which then runs after the others.
     */
    static final String LAZY = "kata.modelChecker.lazy";

    /** Published through a field, as the hidden tests do. */
    static Shared shared;

    private static volatile Thread thread;
    /** Set when the check's orders come: a spare JVM that has been waiting stops warming up more. */
    private static volatile boolean ordersIn;
    /**
     * Batches of runs after the first, for a JVM still waiting for its orders (a spare): they let
     * the JIT compile the checker's own code, which takes a tenth or more off the first tests.
     */
    private static final int EXTRA_BATCHES = Integer.getInteger("kata.warmUpBatches", 30);

    private ModelCheckerWarmUp() {
    }

    /** The shapes the katas' scenarios use: a monitor, a map, atomics, a lock, a deque, a byte buffer, two threads. */
    static final class Shared {
        final ConcurrentHashMap<String, Integer> map = new ConcurrentHashMap<>();
        final AtomicInteger atomic = new AtomicInteger();
        final LongAdder adder = new LongAdder();
        final ReentrantLock lock = new ReentrantLock();
        final java.util.ArrayDeque<byte[]> deque = new java.util.ArrayDeque<>();
        int plain;

        void touch() {
            map.computeIfAbsent("k", k -> 1);
            map.merge("k", 1, Integer::sum);
            atomic.incrementAndGet();
            adder.increment();
            lock.lock();
            try {
                plain++;
            } finally {
                lock.unlock();
            }
            synchronized (this) {
                plain++;
                deque.addLast(java.nio.ByteBuffer.allocate(16).putLong(plain).flip().array());
                deque.pollFirst();
            }
        }
    }

    /** Starts the warm-up in a JVM whose tests use the model checker; once only (a spare starts it early). */
    static void start() {
        if (Boolean.getBoolean(ENABLED) && !lazy()) {
            begin();
        }
    }

    static boolean lazy() {
        return Boolean.getBoolean(LAZY);
    }

    /**
     * In a lazy JVM, before the first test class that uses the checker: the warm-up runs now, and
     * ends before the class's first test starts its time.
     */
    static void beforeModelCheckedClass() {
        if (Boolean.getBoolean(ENABLED) && lazy()) {
            begin();
            await();
        }
    }

    private static synchronized void begin() {
        if (thread == null) {
            thread = Thread.ofPlatform().name("kata-probe-model-checker-warm-up").daemon().start(ModelCheckerWarmUp::run);
        }
    }

    /** The orders are in: at most the batch under way is finished before the tests start. */
    static void ordersIn() {
        ordersIn = true;
    }

    /**
     * Waits for the warm-up to end, however long it takes on a busy machine: the checker allows one
     * run at a time, so a test must not start while the warm-up's run is still under way. The
     * check's own time limit bounds the wait.
     */
    static void await() {
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void run() {
        try {
            // Instrumented once for all the model-checked tests, this run's instrumentation included.
            ModelCheckerAgent.hold();
            // By name: it links against the checker, on this JVM's class path only when enabled.
            Class<?> interleavings = Class.forName(Interleavings.NAME);
            Runnable scenario = () -> {
                shared = new Shared();
                Thread other = new Thread(() -> shared.touch());
                other.start();
                shared.touch();
                try {
                    other.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            var run = interleavings.getMethod("check", int.class, Runnable.class);
            run.invoke(null, 2, scenario);
            for (int i = 0; i < EXTRA_BATCHES && !ordersIn; i++) {
                run.invoke(null, 10, scenario);
            }
        } catch (Throwable e) {
            // Only a head start: the first test pays for what it did not do.
        }
    }
}
