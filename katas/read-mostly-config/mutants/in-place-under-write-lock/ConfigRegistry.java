package readmostlyconfig;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** The settings in a HashMap behind a read-write lock. */
public final class ConfigRegistry {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, String> settings = new HashMap<>();

    public ConfigRegistry(Map<String, String> initial) {
        settings.putAll(initial);
    }

    public String get(String key) {
        lock.readLock().lock();
        try {
            return settings.get(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Map<String, String> snapshot() {
        lock.readLock().lock();
        try {
            return Collections.unmodifiableMap(new HashMap<>(settings));
        } finally {
            lock.readLock().unlock();
        }
    }

    public void apply(Map<String, String> change) {
        lock.writeLock().lock();
        try {
            settings.putAll(change); // the change goes straight into the live map, key by key
        } finally {
            lock.writeLock().unlock();
        }
    }
}
