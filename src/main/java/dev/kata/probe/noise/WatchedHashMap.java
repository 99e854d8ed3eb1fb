package dev.kata.probe.noise;

import dev.kata.probe.ThreadLabel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

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

    /** Runs one call of the map's with this thread counted inside it. */
    private <T> T watched(boolean changing, String what, Supplier<T> call) {
        Visit visit = enter(changing, what);
        try {
            return call.get();
        } finally {
            exit(visit);
        }
    }

    private void exit(Visit visit) {
        if (--visit.depth == 0) {
            visit.changing = false;
            inside.remove(Thread.currentThread());
        }
    }

    private static String describe(Thread thread, String what, String line) {
        return ThreadLabel.of(thread) + " in " + what + (line == null ? "" : " at " + line);
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
        return watched(true, "put", () -> super.put(key, value));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        watched(true, "putAll", () -> {
            super.putAll(m);
            return null;
        });
    }

    @Override
    public V remove(Object key) {
        return watched(true, "remove", () -> super.remove(key));
    }

    @Override
    public boolean remove(Object key, Object value) {
        return watched(true, "remove", () -> super.remove(key, value));
    }

    @Override
    public void clear() {
        watched(true, "clear", () -> {
            super.clear();
            return null;
        });
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return watched(true, "putIfAbsent", () -> super.putIfAbsent(key, value));
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        return watched(true, "computeIfAbsent", () -> super.computeIfAbsent(key, mappingFunction));
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return watched(true, "computeIfPresent", () -> super.computeIfPresent(key, remappingFunction));
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return watched(true, "compute", () -> super.compute(key, remappingFunction));
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        return watched(true, "merge", () -> super.merge(key, value, remappingFunction));
    }

    @Override
    public V replace(K key, V value) {
        return watched(true, "replace", () -> super.replace(key, value));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return watched(true, "replace", () -> super.replace(key, oldValue, newValue));
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        watched(true, "replaceAll", () -> {
            super.replaceAll(function);
            return null;
        });
    }

    @Override
    public V get(Object key) {
        return watched(false, "get", () -> super.get(key));
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        return watched(false, "getOrDefault", () -> super.getOrDefault(key, defaultValue));
    }

    @Override
    public boolean containsKey(Object key) {
        return watched(false, "containsKey", () -> super.containsKey(key));
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        watched(false, "forEach", () -> {
            super.forEach(action);
            return null;
        });
    }
}
