package dev.kata.probe;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds a test that can no longer make progress. Two kinds:
 *
 * <ul>
 * <li>A lock cycle, from {@link ThreadMXBean#findDeadlockedThreads()}: exact, so reported at once.
 * It sees monitors and j.u.c locks of platform threads but not hand-offs through queues.
 * <li>Go's "all asleep": the test thread and every other user thread waiting with no time limit,
 * on something only another of them could provide. Java's thread states alone cannot prove it:
 * a thread that has just been unparked still reads WAITING until it gets a CPU, so on a busy
 * machine a hand-off in flight looks exactly like a deadlock. The verdict therefore needs, across
 * several looks (counted in the detector's own ticks, not by the clock): the same threads in the same
 * waits; none of the waits over by its own state (a latch at zero, a free lock, a put and a take
 * on one SynchronousQueue); and the kernel's word that every platform thread involved is asleep
 * and has not run since the first look. A woken thread is runnable to the kernel at once, so that
 * is proof, not a guess. Without the kernel's word (no {@code /proc}) it takes a long run of
 * unchanged looks instead, counting only those the detector took on time, while it was itself
 * getting CPU.
 * </ul>
 *
 * The decision works on {@link WaitSample}s only, so that it can be tested with made-up looks.
 */
final class DeadlockDetector {
    /** Looks on time that must agree with the kernel's word: the first and two confirmations. */
    static final int LOOKS_WITH_KERNEL = 3;
    /** Without the kernel's word, only a long stillness shows it: about a second and a half of looks. */
    static final int LOOKS_WITHOUT_KERNEL = 15;

    private static final Set<String> HAND_OFFS = Set.of("SynchronousQueue", "LinkedTransferQueue");
    private static final Set<String> GIVING = Set.of("put", "offer", "transfer", "tryTransfer");
    private static final Set<String> TAKING = Set.of("take", "poll");

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private String lastSignature;
    private List<Long> lastRuns;
    private int looks;

    /** Whether this look, with the ones before it, proves every thread of the test asleep for good. */
    boolean allAsleep(WaitSample sample) {
        List<Waiter> waiters = sample.waiters();
        if (waiters.isEmpty()) {
            reset();
            return false;
        }
        for (Waiter w : waiters) {
            if (!w.waitsIndefinitely() || w.released()) {
                reset();
                return false;
            }
        }
        if (handOffInFlight(waiters)) {
            reset();
            return false;
        }
        List<KernelThreads.View> views = new ArrayList<>();
        for (Waiter w : waiters) {
            if (!w.virtual()) {
                views.add(w.kernel());
            }
        }
        views.addAll(sample.bystanders());
        boolean kernelKnows = true;
        List<Long> runs = new ArrayList<>();
        for (KernelThreads.View v : views) {
            if (v.word() == KernelThreads.Word.AWAKE) {
                // runnable to the kernel: a wake-up is on its way, whatever Java's state says
                reset();
                return false;
            }
            kernelKnows &= v.word() == KernelThreads.Word.ASLEEP;
            runs.add(v.runs());
        }
        StringBuilder signature = new StringBuilder();
        for (Waiter w : waiters) {
            signature.append(w.signature()).append('\n');
        }
        String sig = signature.toString();
        if (!sig.equals(lastSignature) || !runs.equals(lastRuns)) {
            // something moved (or this is the first look): start over from here
            lastSignature = sig;
            lastRuns = runs;
            looks = 0;
        }
        // With the kernel's word a late look is proof all the same: a woken thread is runnable to
        // the kernel whether or not it has had a CPU since. Without it, only looks the detector
        // took on time, while the JVM was getting CPU, count.
        if (kernelKnows || sample.onTime()) {
            looks++;
        }
        return looks >= (kernelKnows ? LOOKS_WITH_KERNEL : LOOKS_WITHOUT_KERNEL);
    }

    void reset() {
        lastSignature = null;
        lastRuns = null;
        looks = 0;
    }

    /**
     * A thread giving and another taking on one hand-off queue can never both be stuck: the second
     * to arrive meets the first. Seeing both means the hand-off is under way.
     */
    static boolean handOffInFlight(List<Waiter> waiters) {
        Map<Integer, String> sideByBlocker = new HashMap<>();
        for (Waiter w : waiters) {
            if (w.blocker() == 0 || w.call() == null) {
                continue;
            }
            int dot = w.call().lastIndexOf('.');
            if (dot < 0) {
                continue;
            }
            String type = w.call().substring(0, dot);
            String method = w.call().substring(dot + 1);
            String side = type.equals("Exchanger") && method.equals("exchange") ? "exchange"
                    : HAND_OFFS.contains(type) && GIVING.contains(method) ? "give"
                    : HAND_OFFS.contains(type) && TAKING.contains(method) ? "take"
                    : null;
            if (side == null) {
                continue;
            }
            String seen = sideByBlocker.putIfAbsent(w.blocker(), side);
            if (seen != null && (!seen.equals(side) || side.equals("exchange"))) {
                return true;
            }
        }
        return false;
    }

    /** The platform threads of a lock cycle among the test's threads, or null. */
    List<Thread> lockCycle() {
        long[] ids = mx.findDeadlockedThreads();
        if (ids == null) {
            return null;
        }
        Map<Long, Thread> byId = new HashMap<>();
        for (Thread t : ThreadCensus.liveThreads()) {
            byId.put(t.threadId(), t);
        }
        List<Thread> out = new ArrayList<>();
        for (long id : ids) {
            Thread t = byId.get(id);
            if (t != null && !ThreadCensus.isInfrastructure(t)) {
                // A thread in tryLock(timeout) is part of the cycle only until its wait runs out:
                // backing off is the cure, not the disease.
                if (t.getState() == Thread.State.TIMED_WAITING) {
                    return null;
                }
                out.add(t);
            }
        }
        return out.isEmpty() ? null : out;
    }
}
