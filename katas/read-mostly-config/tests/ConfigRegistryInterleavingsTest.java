package readmostlyconfig;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The half-applied change, model-checked: a failover is applied while a request reads the config,
 * and two changes are applied at once. The model checker tries the ways the threads' steps can
 * interleave until a request sees the new host with the old port, a snapshot changes after it was
 * taken, or a change is lost (or none does). It finds such an interleaving on every run, however
 * busy the machine; the verdict shows it step by step.
 */
@Timeout(value = 60, unit = SECONDS)
class ConfigRegistryInterleavingsTest {
    private static final int INVOCATIONS = 30;
    private static final String HOST = "records.db.host";
    private static final String PORT = "records.db.port";
    private static final String TIMEOUT = "request.timeout.ms";
    /** Not in the config before the failover: setting it adds an entry. */
    private static final String POOL = "records.db.pool.size";

    /** Published through fields, so that the model checker follows every access to them. */
    private static ConfigRegistry registry;
    private static Map<String, String> snapshot;
    private static String hostSeen;
    private static String portSeen;
    private static Throwable readerFailure;

    @Test
    @Order(1)
    @DisplayName("a request reading while a failover is applied: no interleaving shows it half-applied (model-checked)")
    void noInterleavingShowsAHalfAppliedFailover() {
        checkFailover(change("db-b", "6432"));
        // a failover that also sets a key the config did not have yet: the settings' map grows
        checkFailover(change("db-b", "6432", POOL, "20"));
    }

    private static void checkFailover(Map<String, String> failover) {
        Interleavings.check(INVOCATIONS, () -> {
            registry = new ConfigRegistry(config("db-a", "5432"));
            snapshot = null;
            hostSeen = null;
            portSeen = null;
            readerFailure = null;
            Thread watcher = new Thread(() -> registry.apply(failover));
            Thread request = new Thread(() -> {
                try {
                    snapshot = registry.snapshot();
                    hostSeen = snapshot.get(HOST);
                    portSeen = snapshot.get(PORT);
                } catch (RuntimeException e) {
                    readerFailure = e;
                }
            });
            watcher.start();
            request.start();
            join(watcher);
            join(request);
            if (readerFailure != null) {
                throw Pitfalls.race("a request's snapshot() threw " + readerFailure + " while the failover was"
                        + " applied: it read the settings while apply() was changing them (the steps below).");
            }
            boolean before = "db-a".equals(hostSeen) && "5432".equals(portSeen);
            boolean after = "db-b".equals(hostSeen) && "6432".equals(portSeen);
            if (!before && !after) {
                throw Pitfalls.race("a request's snapshot, taken while the failover was applied, held " + HOST + "="
                        + hostSeen + " with " + PORT + "=" + portSeen + ": half of the change (the steps below)."
                        + " A reader must see all of a change or none of it.");
            }
            if (!hostSeen.equals(snapshot.get(HOST)) || !portSeen.equals(snapshot.get(PORT))) {
                throw Pitfalls.race("a snapshot showed " + HOST + "=" + hostSeen + " when it was taken, and "
                        + snapshot.get(HOST) + " once the failover was done: snapshot() handed out the live"
                        + " settings, not a copy (the steps below).");
            }
        });
    }

    @Test
    @Order(2)
    @DisplayName("two changes applied at once: no interleaving loses one of them (model-checked)")
    void noInterleavingLosesAChange() {
        Interleavings.check(INVOCATIONS, () -> {
            registry = new ConfigRegistry(config("db-a", "5432"));
            Thread failover = new Thread(() -> registry.apply(change("db-b", "6432")));
            Thread tuning = new Thread(() -> registry.apply(Map.of(TIMEOUT, "1200")));
            failover.start();
            tuning.start();
            join(failover);
            join(tuning);
            String host = registry.get(HOST);
            String timeout = registry.get(TIMEOUT);
            if (!"db-b".equals(host) || !"1200".equals(timeout)) {
                throw Pitfalls.race("two changes were applied at once (the failover to db-b, and "
                        + TIMEOUT + "=1200), but afterwards " + HOST + "=" + host + " and " + TIMEOUT + "="
                        + timeout + ": one change wiped out the other (the steps below).");
            }
        });
    }

    private static Map<String, String> config(String host, String port) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(HOST, host);
        c.put(PORT, port);
        c.put(TIMEOUT, "800");
        return c;
    }

    private static Map<String, String> change(String host, String port) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(HOST, host);
        c.put(PORT, port);
        return c;
    }

    private static Map<String, String> change(String host, String port, String newKey, String value) {
        Map<String, String> c = change(host, port);
        c.put(newKey, value);
        return c;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
