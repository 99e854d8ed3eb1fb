package racecache;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import racecache.PatientCache.Patient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The check-then-act race, model-checked: two requests ask for the same missing patient, and the
 * model checker tries the ways their steps can interleave until one loads the record twice or
 * hands out two different copies (or none does). It finds such an interleaving on every run,
 * however busy the machine; the verdict shows it step by step.
 */
@Timeout(value = 60, unit = SECONDS)
class PatientCacheInterleavingsTest {
    private static final int INVOCATIONS = 30;

    /** Published through fields, so that the model checker follows every access to them. */
    private static PatientCache cache;
    private static Database database;
    private static Patient first;
    private static Patient second;

    @Test
    @DisplayName("two requests for the same missing patient: no interleaving loads it twice (model-checked)")
    void noInterleavingLoadsAPatientTwice() {
        Interleavings.check(INVOCATIONS, () -> {
            database = new Database();
            cache = new PatientCache(database::load);
            first = null;
            second = null;
            Thread request1 = new Thread(() -> first = cache.get("P-7"));
            Thread request2 = new Thread(() -> second = cache.get("P-7"));
            request1.start();
            request2.start();
            join(request1);
            join(request2);
            int loads = database.loads();
            if (loads != 1) {
                throw Pitfalls.race("two requests for the missing patient P-7 went to the database " + loads
                        + " times: both looked in the cache, both saw no record, and both loaded it (the steps"
                        + " below). Looking and storing are two steps; another request gets between them.");
            }
            if (first != second) {
                throw Pitfalls.race("two requests for P-7 got two different copies of the record: the cache"
                        + " handed out one copy and then replaced it with another (the steps below).");
            }
        });
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The records database: counts its loads (a monitor, so that the count itself cannot race). */
    private static final class Database {
        private int loads;

        synchronized int loads() {
            return loads;
        }

        Patient load(String id) {
            synchronized (this) {
                loads++;
            }
            return new Patient(id, "record of " + id);
        }
    }
}
