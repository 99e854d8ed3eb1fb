package blockingunderlock;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exchange rates for the checkout service. Every checkout converts its prices with the cached
 * rates; a scheduled job (and, now and then, an operator) calls {@link #refresh()} to load the
 * latest rates from the treasury's rate service, a remote call that usually takes a few
 * milliseconds and sometimes many seconds.
 *
 * <p>The cache holds one immutable snapshot in a volatile field: a checkout reads it with no lock
 * at all and sees the whole old snapshot or the whole new one, never half of an update. The
 * remote call is made with no lock held; a lock is taken only for the instant it takes to compare
 * versions and swap the snapshot, so checkouts keep reading the current rates however long the
 * rate service takes.
 */
public final class RateCache {

    /**
     * One publication of the treasury's rates: {@code version} grows with every publication, so a
     * larger version is always newer.
     */
    public record Snapshot(long version, Map<String, BigDecimal> rates) {
        public Snapshot {
            rates = Map.copyOf(rates);
        }
    }

    /** The treasury's rate service: a remote call, slow at times. */
    public interface RateSource {
        Snapshot fetchLatest() throws IOException, InterruptedException;
    }

    private final RateSource source;
    /** Held only to compare versions and swap, never across the remote call. */
    private final ReentrantLock swap = new ReentrantLock();
    /** Written under {@code swap}; read with no lock: volatile orders each read after the last swap. */
    private volatile Snapshot current = new Snapshot(0, Map.of());

    public RateCache(RateSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** The cached rate of {@code currency} against the base currency, if it is known. */
    public Optional<BigDecimal> rate(String currency) {
        return Optional.ofNullable(current.rates().get(currency)); // one read of the field: one whole snapshot
    }

    /** The version of the cached snapshot (0 before the first refresh). */
    public long version() {
        return current.version();
    }

    /**
     * Loads the latest rates from the rate service. If the call fails, the cache keeps the rates
     * it had and the failure is thrown to the caller.
     */
    public void refresh() throws IOException, InterruptedException {
        Snapshot latest = source.fetchLatest(); // slow, remote: no lock held while we wait
        swap.lock();
        try {
            // Two refreshes can now overlap: a slow one that started first may finish last.
            // Never let it replace a newer snapshot with an older one.
            if (latest.version() > current.version()) {
                current = latest;
            }
        } finally {
            swap.unlock();
        }
    }
}
