package dev.kata.probe.noise;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What a learner's {@code new HashMap<>()} makes when the kata asks for noise: a HashMap that
 * notices two threads inside it at once, one of them changing it. That is a race whatever the
 * outcome (a HashMap is not safe for threads), and a lost entry or a broken bucket shows up only
 * by chance; a map guarded by a lock, confined to one thread or published once is never flagged.
 * Each change pauses briefly inside the map (see {@link Noise}), so that an unguarded overlap is
 * seen on nearly every run.
 */
public class WatchedHashMap<K, V> extends HashMap<K, V> {
    private static final long serialVersionUID = 1L;
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** The threads inside this map now: how deep, whether changing it, and from which learner line. */
    private final transient Map<Thread, Visit> inside = new ConcurrentHashMap<>();
    private final transient String madeAt = learnerLine();
    private transient volatile boolean reported;

    private static final class Visit {
        volatile int depth;
        volatile boolean changing;
        volatile String line;
        volatile String what;
    }

    public WatchedHashMap() {
        super();
    }

    public WatchedHashMap(int initialCapacity) {
        super(initialCapacity);
    }

    public WatchedHashMap(int initialCapacity, float loadFactor) {
        super(initialCapacity, loadFactor);
    }

    public WatchedHashMap(Map<? extends K, ? extends V> m) {
        super(m);
    }

    private Visit enter(boolean changing, String what) {
        Thread me = Thread.currentThread();
        Visit visit = inside.computeIfAbsent(me, t -> new Visit());
        // Only this thread writes its visit. What and where come before the depth another thread
        // reads them by: a visit seen at depth 0 is skipped.
        if (visit.depth == 0) {
            visit.line = learnerLine();
            visit.what = what;
        }
        visit.changing |= changing;
        visit.depth++;
        if (!reported) {
            for (Map.Entry<Thread, Visit> other : inside.entrySet()) {
                Visit v = other.getValue();
                if (other.getKey() != me && (changing || v.changing) && v.depth > 0) {
                    reported = true;
                    Collisions.seen("a HashMap", madeAt, describe(other.getKey(), v.what, v.line),
                            describe(me, what, visit.line), visit.line);
                    break;
                }
            }
        }
        if (changing) {
            Noise.point(); // inside the change: the window another thread's step must hit
        }
        return visit;
    }

    private void exit(Visit visit) {
        if (--visit.depth == 0) {
            visit.changing = false;
            inside.remove(Thread.currentThread());
        }
    }

    private static String describe(Thread thread, String what, String line) {
        return "\"" + thread.getName() + "\" in " + what + (line == null ? "" : " at " + line);
    }

    /** The first frame outside this class and the JDK: the line that used the map. */
    private static String learnerLine() {
        return WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().equals(WatchedHashMap.class.getName()) && !f.getClassName().startsWith("java."))
                .findFirst()
                .map(f -> f.getFileName() == null ? null : f.getFileName() + ":" + f.getLineNumber())
                .orElse(null));
    }

    @Override
    public V put(K key, V value) {
        Visit v = enter(true, "put");
        try {
            return super.put(key, value);
        } finally {
            exit(v);
        }
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        Visit v = enter(true, "putAll");
        try {
            super.putAll(m);
        } finally {
            exit(v);
        }
    }

    @Override
    public V remove(Object key) {
        Visit v = enter(true, "remove");
        try {
            return super.remove(key);
        } finally {
            exit(v);
        }
    }

    @Override
    public boolean remove(Object key, Object value) {
        Visit v = enter(true, "remove");
        try {
            return super.remove(key, value);
        } finally {
            exit(v);
        }
    }

    @Override
    public void clear() {
        Visit v = enter(true, "clear");
        try {
            super.clear();
        } finally {
            exit(v);
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        Visit v = enter(true, "putIfAbsent");
        try {
            return super.putIfAbsent(key, value);
        } finally {
            exit(v);
        }
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        Visit v = enter(true, "computeIfAbsent");
        try {
            return super.computeIfAbsent(key, mappingFunction);
        } finally {
            exit(v);
        }
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        Visit v = enter(true, "computeIfPresent");
        try {
            return super.computeIfPresent(key, remappingFunction);
        } finally {
            exit(v);
        }
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        Visit v = enter(true, "compute");
        try {
            return super.compute(key, remappingFunction);
        } finally {
            exit(v);
        }
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        Visit v = enter(true, "merge");
        try {
            return super.merge(key, value, remappingFunction);
        } finally {
            exit(v);
        }
    }

    @Override
    public V replace(K key, V value) {
        Visit v = enter(true, "replace");
        try {
            return super.replace(key, value);
        } finally {
            exit(v);
        }
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        Visit v = enter(true, "replace");
        try {
            return super.replace(key, oldValue, newValue);
        } finally {
            exit(v);
        }
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        Visit v = enter(true, "replaceAll");
        try {
            super.replaceAll(function);
        } finally {
            exit(v);
        }
    }

    @Override
    public V get(Object key) {
        Visit v = enter(false, "get");
        try {
            return super.get(key);
        } finally {
            exit(v);
        }
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        Visit v = enter(false, "getOrDefault");
        try {
            return super.getOrDefault(key, defaultValue);
        } finally {
            exit(v);
        }
    }

    @Override
    public boolean containsKey(Object key) {
        Visit v = enter(false, "containsKey");
        try {
            return super.containsKey(key);
        } finally {
            exit(v);
        }
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Visit v = enter(false, "forEach");
        try {
            super.forEach(action);
        } finally {
            exit(v);
        }
    }
}
