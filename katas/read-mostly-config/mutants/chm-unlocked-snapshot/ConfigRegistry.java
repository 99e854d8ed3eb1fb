package readmostlyconfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The records service's live configuration. Request threads read it all the time (timeouts,
 * feature switches, the address of the records database); the config watcher changes it
 * rarely, when an operator pushes a change. One change can set several keys that only make
 * sense together, such as the host and port of the database after a failover.
 */
public final class ConfigRegistry {
    /**
     * Thread-safe on its own for readers (no ConcurrentModificationException, no torn entries);
     * changes are staged first and written under {@link #changeLock}, one change at a time.
     */
    private final Map<String, String> settings = new ConcurrentHashMap<>();
    private final Object changeLock = new Object();

    public ConfigRegistry(Map<String, String> initial) {
        settings.putAll(initial);
    }

    /** The current value of one setting, or null if it is not set. */
    public String get(String key) {
        return settings.get(key);
    }

    /**
     * All settings as they are now, for a request that needs several that belong together
     * (host and port, a switch and its parameters). Later changes do not affect it.
     */
    public Map<String, String> snapshot() {
        return Map.copyOf(settings); // a copy: later changes do not touch it
    }

    /** Applies a change pushed by an operator. All its keys belong together. */
    public void apply(Map<String, String> change) {
        // Read the operator's map first: if it throws (or holds a null), nothing has changed.
        Map<String, String> staged = Map.copyOf(change);
        synchronized (changeLock) {
            settings.putAll(staged);
        }
    }
}
