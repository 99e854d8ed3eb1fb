package readmostlyconfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The records service's live configuration. Request threads read it all the time (timeouts,
 * feature switches, the address of the records database); the config watcher changes it
 * rarely, when an operator pushes a change. One change can set several keys that only make
 * sense together, such as the host and port of the database after a failover.
 */
public final class ConfigRegistry {
    // Copy-on-write: the current settings are an immutable map, never changed in place. A
    // change builds a new map and publishes it with one volatile write, so a reader sees
    // either the whole old configuration or the whole new one, and reads take no lock.
    private volatile Map<String, String> settings;

    public ConfigRegistry(Map<String, String> initial) {
        settings = Map.copyOf(initial);
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
        return settings; // immutable: safe to hand out as it is
    }

    /** Applies a change pushed by an operator. All its keys belong together. */
    public void apply(Map<String, String> change) {
        Map<String, String> next = new HashMap<>(settings);
        next.putAll(change);
        settings = Map.copyOf(next);
    }
}
