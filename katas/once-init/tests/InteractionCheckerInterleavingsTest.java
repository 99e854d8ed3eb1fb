package onceinit;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import java.util.List;
import java.util.Optional;
import onceinit.InteractionChecker.Interaction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lazy initialisation, model-checked: two prescriptions are checked at once on a fresh checker,
 * and the model checker tries the ways their steps can interleave until the table is downloaded
 * twice or one check answers from a table not yet filled (or none does). It finds such an
 * interleaving on every run, however busy the machine; the verdict shows it step by step.
 */
@Timeout(value = 60, unit = SECONDS)
class InteractionCheckerInterleavingsTest {
    private static final int INVOCATIONS = 30;
    private static final Interaction WARFARIN_ASPIRIN = new Interaction("warfarin", "aspirin", "major");

    /** Published through fields, so that the model checker follows every access to them. */
    private static InteractionChecker checker;
    private static Service service;
    private static Optional<Interaction> first;
    private static Optional<Interaction> second;

    @Test
    @DisplayName("two checks on a fresh checker: no interleaving downloads the table twice or reads it half-built"
            + " (model-checked)")
    void noInterleavingDownloadsTwiceOrReadsAHalfBuiltTable() {
        Interleavings.check(INVOCATIONS, () -> {
            service = new Service();
            checker = new InteractionChecker(service::fetchAll);
            first = null;
            second = null;
            Thread check1 = new Thread(() -> first = checker.check("warfarin", "aspirin"));
            Thread check2 = new Thread(() -> second = checker.check("aspirin", "warfarin"));
            check1.start();
            check2.start();
            join(check1);
            join(check2);
            int downloads = service.downloads();
            if (downloads != 1) {
                throw Pitfalls.race("two checks on a fresh checker downloaded the interaction table " + downloads
                        + " times: both saw no table yet, and both started a download (the steps below)."
                        + " Looking for the table and storing it are two steps; another check gets between them.");
            }
            if (first == null || second == null || first.isEmpty() || second.isEmpty()) {
                throw Pitfalls.race("one of two checks of warfarin with aspirin answered \"no interaction\": it read"
                        + " the table after it was published but before it was filled (the steps below).");
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

    /** The pharmacology service: counts its downloads (a monitor, so that the count itself cannot race). */
    private static final class Service {
        private int downloads;

        synchronized int downloads() {
            return downloads;
        }

        List<Interaction> fetchAll() {
            synchronized (this) {
                downloads++;
            }
            return List.of(WARFARIN_ASPIRIN);
        }
    }
}
