package dev.kata.probe.races;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The detector's notes on each object whose learner fields were touched, keyed by identity (a
 * learner class may define equals) and held weakly, so that tracking keeps no object alive.
 */
final class Shadows {
    private static final ReferenceQueue<Object> COLLECTED = new ReferenceQueue<>();
    private static final Map<Key, Shadows> ALL = new ConcurrentHashMap<>();

    private final Map<Integer, FieldShadow> fields = new HashMap<>(4);

    private Shadows() {
    }

    static Shadows of(Object owner) {
        for (Object gone; (gone = COLLECTED.poll()) != null; ) {
            ALL.remove(gone);
        }
        Shadows found = ALL.get(new Lookup(owner));
        return found != null ? found : ALL.computeIfAbsent(new Weak(owner), k -> new Shadows());
    }

    /** The notes on {@code owner}, or null if nothing was noted about it. */
    static Shadows existing(Object owner) {
        return ALL.get(new Lookup(owner));
    }

    /** The notes on one field (or array element), or null if nothing was noted about it. */
    synchronized FieldShadow existingField(int key) {
        return fields.get(key);
    }

    synchronized FieldShadow field(int key) {
        return fields.computeIfAbsent(key, k -> new FieldShadow());
    }

    /** An object compared by identity: a weak one in the map, a strong one to look up with. */
    private interface Key {
        Object referent();

        static boolean same(Key a, Object b) {
            if (a == b) {
                return true;
            }
            Object r = a.referent();
            return r != null && b instanceof Key k && k.referent() == r;
        }
    }

    private static final class Weak extends WeakReference<Object> implements Key {
        private final int hash;

        Weak(Object referent) {
            super(referent, COLLECTED);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public Object referent() {
            return get();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return Key.same(this, other);
        }
    }

    private record Lookup(Object referent) implements Key {
        @Override
        public int hashCode() {
            return System.identityHashCode(referent);
        }

        @Override
        public boolean equals(Object other) {
            return Key.same(this, other);
        }
    }
}
