package blockingunderlock;

import static java.util.concurrent.TimeUnit.SECONDS;

import blockingunderlock.RateCache.Snapshot;
import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two refreshes finishing at the same instant, model-checked: the rate service answers both at once
 * (versions 1 and 2, in the order they asked), and the model checker tries the ways the two
 * refreshes' steps can interleave until the cache ends with the older version (or none does). It
 * finds such an interleaving on every run, however busy the machine; the verdict shows it step by
 * step.
 */
@Timeout(value = 60, unit = SECONDS)
class RateCacheInterleavingsTest {
    private static final int INVOCATIONS = 100;
    private static final Snapshot[] PUBLICATIONS = {
        new Snapshot(0, Map.of()),
        new Snapshot(1, Map.of("EUR", new BigDecimal("1.0801"))),
        new Snapshot(2, Map.of("EUR", new BigDecimal("1.0802"))),
    };

    /** Published through fields, so that the model checker follows every access to them. */
    private static RateCache cache;
    private static Treasury treasury;
    private static Throwable failure;

    @Test
    @DisplayName("two refreshes finishing at once: no interleaving leaves the older rates in the cache (model-checked)")
    void noInterleavingOfTwoRefreshesLeavesTheOlderRates() {
        Interleavings.check(INVOCATIONS, () -> {
            treasury = new Treasury();
            cache = new RateCache(treasury::fetchLatest);
            failure = null;
            Thread scheduled = new Thread(RateCacheInterleavingsTest::refresh);
            Thread operator = new Thread(RateCacheInterleavingsTest::refresh);
            scheduled.start();
            operator.start();
            join(scheduled);
            join(operator);
            if (failure != null) {
                throw new AssertionError("refresh() threw " + failure + " (the rate service answered at once)", failure);
            }
            long version = cache.version();
            if (version != 2) {
                throw Pitfalls.race("two refreshes ran at once; the rate service answered them versions 1 and 2 at"
                        + " once. Once both had returned, the cache held version " + version + ", not the newer"
                        + " version 2 (the steps below). Store a snapshot only if its version is larger than the"
                        + " cached one's, comparing and storing in one step that no other refresh gets between.");
            }
        });
    }

    private static void refresh() {
        try {
            cache.refresh();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rate service: each fetch gets the next publication, at once (a monitor, so the count cannot race). */
    private static final class Treasury {
        private int published;

        Snapshot fetchLatest() {
            synchronized (this) {
                published++;
                return PUBLICATIONS[published];
            }
        }
    }
}
