package blockingunderlock;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exchange rates for the checkout service. Every checkout converts its prices with the cached
 * rates; a scheduled job (and, now and then, an operator) calls {@link #refresh()} to load the
 * latest rates from the treasury's rate service, a remote call that usually takes a few
 * milliseconds and sometimes many seconds.
 *
 * <p>Readers share a read lock; a refresh replaces the whole snapshot under the write lock, so a
 * checkout never sees half of an update. The remote call itself is made with no lock held: the
 * write lock is taken only for the instant it takes to swap the snapshot, so checkouts keep
 * reading the current rates however long the rate service takes.
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
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Snapshot current = new Snapshot(0, Map.of()); // guarded by lock

    public RateCache(RateSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** The cached rate of {@code currency} against the base currency, if it is known. */
    public Optional<BigDecimal> rate(String currency) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(current.rates().get(currency));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The version of the cached snapshot (0 before the first refresh). */
    public long version() {
        lock.readLock().lock();
        try {
            return current.version();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Loads the latest rates from the rate service. If the call fails, the cache keeps the rates
     * it had and the failure is thrown to the caller.
     */
    public void refresh() throws IOException, InterruptedException {
        Snapshot latest = source.fetchLatest(); // slow, remote: no lock held while we wait
        lock.writeLock().lock();
        // Two refreshes can now overlap: a slow one that started first may finish last.
        // Never let it replace a newer snapshot with an older one. (Nothing here can throw.)
        if (latest.version() > current.version()) {
            current = latest;
        }
        lock.writeLock().unlock();
    }
}
