package dev.kata.probe.races;

import dev.kata.probe.ThreadLabel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A data-race detector for the learner's own fields, in the manner of FastTrack (Flanagan and
 * Freund, 2009): each thread carries a vector clock, and a plain read or write of a learner field
 * is a race when the field's last write, by another thread, does not happen before it. The calls
 * come from classes rewritten by {@link RaceRewriter}; public for them only.
 *
 * <p>Only the learner's code is rewritten, so what synchronises elsewhere (the JDK, the hidden
 * tests) is over-approximated, never missed: every call from the learner's code into other code
 * releases into and acquires from one global clock, and so does every entry into the learner's
 * code from outside it and every lock it takes. Volatile fields of the learner's are exact:
 * their writes publish to readers of the same field only. The over-approximation can hide a
 * race, never invent one. A loop that spins on a plain field without calling anything, the
 * visibility bug no test on x86 can show, is caught on its first read after the write.
 */
public final class Races {
    /** Threads tracked at most: beyond, tracking stops (a vector clock grows with the threads). */
    private static final int MAX_THREADS = 1024;
    static final int PAUSES_PER_THREAD = 64;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadLocal<ThreadClock> CLOCKS = ThreadLocal.withInitial(Races::newClock);
    private static final Object GLOBAL_LOCK = new Object();
    private static int[] global = new int[16];
    private static volatile boolean off;

    private static final List<Race> SEEN = new ArrayList<>();
    /** The fields already in {@link #SEEN}: a racy loop reports its field once, not a million times. */
    private static final Set<Integer> REPORTED = ConcurrentHashMap.newKeySet();
    private static long count;

    private Races() {
    }

    /**
     * A race seen: the access that raced and the earlier write it was not ordered after. The threads
     * are named as a message names them (see {@link #label}).
     */
    public record Race(long sequence, String field, String thread, String access, String at, String method,
            String otherThread, String otherAt, String otherMethod, String call, String otherCall, boolean onArray) {
        /** A race on a collection's contents ({@code field} names its class): both calls are given. */
        public boolean onCollection() {
            return call != null;
        }
    }

    /** One thread's view: its clock, and how many learner frames it is in since it last called out. */
    static final class ThreadClock {
        final int id;
        final Thread thread;
        int[] vc;
        int depth;
        int[] saved = new int[8];
        int savedSize;
        int pauses;
        /** The next call out is on a collection that is not safe for threads: it synchronises with nothing. */
        boolean quietCall;
        /** That call changes the collection. */
        boolean changedCollection;
        /** An exception left a call out of the learner's code (which may have synchronised) and is not yet caught. */
        boolean thrownFromCallOut;
        /** An exception left a call that is no hand-off (a sleep, an opaque call): only an interrupt orders it. */
        boolean thrownFromQuietCall;
        /** Class initialisers this thread is inside: what they write is not noted. */
        int initialising;
        /** Entries into the learner's code from outside order nothing: see {@link #isolate()}. */
        boolean isolated;

        ThreadClock(int id, Thread thread) {
            this.id = id;
            this.thread = thread;
            this.vc = new int[Math.max(16, id + 1)];
            this.vc[id] = 1;
        }

        int token() {
            return savedSize << 16 | Math.min(depth, 0xFFFF);
        }

        void restore(int token) {
            for (int i = token >>> 16; i < savedSize; i++) { // calls out that never came back: they threw
                if ((saved[i] & QUIET) != 0) {
                    thrownFromQuietCall = true;
                } else {
                    thrownFromCallOut = true;
                }
            }
            savedSize = Math.min(savedSize, token >>> 16);
            depth = token & 0xFFFF;
        }
    }

    private static ThreadClock newClock() {
        int id = THREADS.getAndIncrement();
        if (id >= MAX_THREADS) {
            off = true; // every hook returns at once from now on
            return new ThreadClock(0, Thread.currentThread());
        }
        return new ThreadClock(id, Thread.currentThread());
    }

    // ---- structure: entries, exits, calls out of the learner's code ----

    /** At the start of a learner method: entering from outside acquires. Returns the frame's token. */
    public static int enter() {
        if (off) {
            return 0;
        }
        ThreadClock me = CLOCKS.get();
        if (me.depth == 0) {
            if (!me.isolated) {
                acquireGlobal(me);
            }
            me.thrownFromCallOut = false;
            me.thrownFromQuietCall = false;
        }
        me.depth++;
        return me.token();
    }

    /**
     * From now on, the calling thread, one of the hidden test's own, is ordered after other threads
     * only by what the learner's code does: its calls into that code no longer stand for hand-offs
     * in the test's code that the detector cannot see. What happened before this call stays
     * ordered before it. A test thread that only reads the learner's object then sees every read
     * that nothing in the learner's code orders after another thread's write, however late it
     * comes, instead of only those that land while the write is not yet published.
     */
    public static void isolate() {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        acquireGlobal(me);
        me.isolated = true;
    }

    /** At the start of a learner class's static initialiser. */
    public static void initialising() {
        if (off) {
            return;
        }
        CLOCKS.get().initialising++;
    }

    /** At its normal end (one that throws leaves the class unusable: nothing reads what it wrote). */
    public static void initialised() {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        me.initialising = Math.max(0, me.initialising - 1);
    }

    /** At a normal return of a learner method: leaving to outside releases. */
    public static void leave() {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        if (me.depth > 0) {
            me.depth--;
        }
        if (me.depth == 0) {
            releaseGlobal(me);
        }
    }

    /** When an exception leaves a learner method: the frame's state back as it was, then {@link #leave()}. */
    public static void leaveThrowing(int token) {
        if (off) {
            return;
        }
        CLOCKS.get().restore(token);
        leave();
    }

    /**
     * At the start of a learner exception handler: if {@code thrown} came out of a call out (which
     * may have synchronised before it threw), acquire. One thrown by the learner's own code, or by
     * a call that is no hand-off, orders nothing, unless it is an InterruptedException: an
     * interrupt orders what the interrupter did before it with the thread that finds it out.
     */
    public static void caught(Throwable thrown, int token) {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        me.restore(token);
        boolean acquire = me.thrownFromCallOut || me.thrownFromQuietCall && thrown instanceof InterruptedException;
        me.thrownFromCallOut = false;
        me.thrownFromQuietCall = false;
        if (acquire) {
            acquireGlobal(me);
        }
    }

    /** As {@link #caught(Throwable, int)}, in a constructor (which keeps no token). */
    public static void caughtUntracked() {
        if (off) {
            return;
        }
        acquireGlobal(CLOCKS.get());
    }

    /** Before a call into code that is not the learner's: release, and count frames afresh. */
    public static void callOut() {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        boolean quiet = me.quietCall;
        me.quietCall = false;
        if (!quiet) {
            releaseGlobal(me);
        }
        if (me.savedSize == me.saved.length) {
            me.saved = java.util.Arrays.copyOf(me.saved, me.saved.length * 2);
        }
        me.saved[me.savedSize++] = quiet ? me.depth | QUIET : me.depth;
        me.depth = 0;
    }

    /**
     * Before a call that is no hand-off (Thread.sleep, a call through an opaque type), but may
     * throw an InterruptedException that another thread caused: that exception's handler acquires.
     */
    public static void quietCallOut() {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        me.quietCall = true;
        me.changedCollection = false;
        callOut();
    }

    /** After that call returns: acquire whatever it may have synchronised with. */
    public static void callBack() {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        int saved = me.savedSize > 0 ? me.saved[--me.savedSize] : 0;
        me.depth = saved & ~QUIET;
        if ((saved & QUIET) == 0) {
            acquireGlobal(me);
        } else if (me.changedCollection) {
            me.changedCollection = false;
            pause(me); // as after a plain write: the change is published by nothing yet
        }
    }

    /** Marks a saved depth whose call synchronises with nothing (a HashMap's, say). */
    private static final int QUIET = 1 << 30;

    /** After a monitor is taken (a synchronized block or method). */
    public static void acquire() {
        if (off) {
            return;
        }
        acquireGlobal(CLOCKS.get());
    }

    /** Before a monitor is let go. */
    public static void release() {
        if (off) {
            return;
        }
        releaseGlobal(CLOCKS.get());
    }

    // ---- fields ----

    /** After a plain read of a learner field of {@code owner} (the class, for a static one). */
    public static void read(Object owner, int site) {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        check(me, "read", site, shadow(owner, site).last());
    }

    /** Before a plain write of a learner field. */
    public static void write(Object owner, int site) {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        if (me.initialising > 0) {
            return;
        }
        check(me, "wrote", site, shadow(owner, site).replace(new FieldShadow.Write(me, me.vc[me.id], site)));
    }

    // ---- array elements ----

    /**
     * Elements tracked per array: the first few, where shared counters and flags live. A large
     * buffer filled in a loop would otherwise cost the detector a note per element.
     */
    static final int TRACKED_ELEMENTS = 256;

    /** After a read of {@code array[index]} in a learner method. */
    public static void elementRead(Object array, int index, int site) {
        if (off || array == null || index < 0 || index >= TRACKED_ELEMENTS) {
            return;
        }
        Shadows shadows = Shadows.existing(array);
        FieldShadow element = shadows == null ? null : shadows.existingField(index);
        if (element != null) {
            check(CLOCKS.get(), "read", site, element.last(), array, index);
        }
    }

    /** Before a write of {@code array[index]} in a learner method (a constructor's are not noted). */
    public static void elementWrite(Object array, int index, int site) {
        if (off || array == null || index < 0 || index >= TRACKED_ELEMENTS) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        if (me.initialising > 0) {
            return;
        }
        FieldShadow element = Shadows.of(array).field(index);
        check(me, "wrote", site, element.replace(new FieldShadow.Write(me, me.vc[me.id], site)), array, index);
    }

    private static void check(ThreadClock me, String access, int site, FieldShadow.Write last, Object array, int index) {
        if (unordered(me, last)) {
            report(me, access, site, last.thread(), last.site(),
                    "element [" + index + "] of " + array.getClass().getSimpleName(), false, true);
        }
    }

    // ---- collections that are not safe for threads ----

    private static final Set<Class<?>> UNSYNCHRONISED = Set.of(java.util.HashMap.class, java.util.LinkedHashMap.class,
            java.util.TreeMap.class, java.util.IdentityHashMap.class, java.util.WeakHashMap.class,
            java.util.ArrayList.class, java.util.LinkedList.class, java.util.HashSet.class,
            java.util.LinkedHashSet.class, java.util.TreeSet.class, java.util.ArrayDeque.class,
            java.util.PriorityQueue.class);

    /**
     * Before a call on a collection: if it is one of the JDK's collections that are not safe for
     * threads (a HashMap, an ArrayList...), the call reads or changes its contents, checked as a
     * field would be: a change not ordered before another thread's read or change is a race.
     */
    public static void collection(Object collection, int site) {
        if (off || collection == null || !UNSYNCHRONISED.contains(collection.getClass())) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        if (me.initialising > 0) {
            return;
        }
        FieldShadow shadow = shadow(collection, site);
        boolean changes = Sites.get(site).writes();
        me.quietCall = true;
        me.changedCollection = changes;
        if (changes) {
            check(me, "wrote", site, shadow.replace(new FieldShadow.Write(me, me.vc[me.id], site)), collection);
        } else {
            check(me, "read", site, shadow.last(), collection);
        }
    }

    /** Reports {@code access} as a race if {@code last}, another thread's write, is not ordered before it. */
    private static void check(ThreadClock me, String access, int site, FieldShadow.Write last) {
        check(me, access, site, last, null);
    }

    private static void check(ThreadClock me, String access, int site, FieldShadow.Write last, Object collection) {
        if (unordered(me, last)) {
            String field = collection != null ? collection.getClass().getSimpleName() : Sites.get(site).field();
            report(me, access, site, last.thread(), last.site(), field, collection != null, false);
        }
    }

    /** Whether {@code last} is another thread's write that nothing ordered before this thread's access. */
    private static boolean unordered(ThreadClock me, FieldShadow.Write last) {
        return last != null && last.thread() != me && seen(me, last.thread().id) < last.clock();
    }

    private static FieldShadow shadow(Object owner, int site) {
        return Shadows.of(owner).field(Sites.fieldOf(site));
    }

    /**
     * Just after a plain write: a short pause, a bounded number of times per thread, so that
     * another thread's unordered read lands while the write is not yet published by anything.
     */
    public static void wrote() {
        if (off) {
            return;
        }
        pause(CLOCKS.get());
    }

    private static void pause(ThreadClock me) {
        if (me.pauses >= PAUSES_PER_THREAD) {
            return;
        }
        me.pauses++;
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 600_000));
    }

    /** After a read of a volatile learner field: acquire what its writers released. */
    public static void volatileRead(Object owner, int site) {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        me.vc = shadow(owner, site).acquireInto(me.vc);
    }

    /** Before a write of a volatile learner field: release into it. */
    public static void volatileWrite(Object owner, int site) {
        if (off) {
            return;
        }
        ThreadClock me = CLOCKS.get();
        shadow(owner, site).releaseFrom(me.vc);
        me.vc[me.id]++;
    }

    // ---- what the probe reads ----

    /** A mark for {@link #since}: the races seen before it are forgotten. */
    public static long mark() {
        synchronized (SEEN) {
            SEEN.clear();
            REPORTED.clear();
            return count;
        }
    }

    /** The races seen after {@code mark}, first first, one per field. */
    public static List<Race> since(long mark) {
        synchronized (SEEN) {
            return SEEN.stream().filter(r -> r.sequence() > mark).toList();
        }
    }

    // ---- clocks ----

    private static int seen(ThreadClock me, int thread) {
        return thread < me.vc.length ? me.vc[thread] : 0;
    }

    private static void acquireGlobal(ThreadClock me) {
        synchronized (GLOBAL_LOCK) {
            me.vc = join(me.vc, global);
        }
    }

    private static void releaseGlobal(ThreadClock me) {
        synchronized (GLOBAL_LOCK) {
            global = join(global, me.vc);
        }
        me.vc[me.id]++;
    }

    /** {@code into}, raised to {@code from} entry by entry (grown if need be; may be {@code into} itself). */
    static int[] join(int[] into, int[] from) {
        if (from == null) {
            return into;
        }
        if (into == null) {
            return from.clone();
        }
        int[] result = into;
        if (from.length > into.length) {
            result = java.util.Arrays.copyOf(into, from.length);
        }
        for (int i = 0; i < from.length; i++) {
            if (from[i] > result[i]) {
                result[i] = from[i];
            }
        }
        return result;
    }

    private static void report(ThreadClock me, String access, int site, ThreadClock other, int otherSite,
            String field, boolean onCollection, boolean onArray) {
        if (!REPORTED.add(Sites.fieldOf(site))) {
            return;
        }
        Sites.Site here = Sites.get(site);
        Sites.Site there = Sites.get(otherSite);
        synchronized (SEEN) {
            count++;
            if (SEEN.size() < 16) {
                SEEN.add(new Race(count, field, ThreadLabel.of(me.thread), access, here.at(), here.method(),
                        ThreadLabel.of(other.thread), there.at(), there.method(),
                        onCollection ? here.call() : null, onCollection ? there.call() : null, onArray));
            }
        }
    }
}
