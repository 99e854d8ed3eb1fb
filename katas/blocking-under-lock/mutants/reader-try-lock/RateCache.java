package blockingunderlock;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exchange rates for the checkout service. Every checkout converts its prices with the cached
 * rates; a scheduled job (and, now and then, an operator) calls {@link #refresh()} to load the
 * latest rates from the treasury's rate service, a remote call that usually takes a few
 * milliseconds and sometimes many seconds.
 *
 * <p>Readers share a read lock; a refresh replaces the whole snapshot under the write lock, so a
 * checkout never sees half of an update. A checkout waits for the read lock 10 ms at most: if a
 * refresh is still loading by then, it reads the current snapshot without the lock (a snapshot is
 * immutable and replaced in one write, so it is never half updated).
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
        return Optional.ofNullable(snapshot().rates().get(currency));
    }

    /** The version of the cached snapshot (0 before the first refresh). */
    public long version() {
        return snapshot().version();
    }

    /** The current snapshot: under the read lock if it comes within 10 ms, else as it is. */
    private Snapshot snapshot() {
        try {
            if (lock.readLock().tryLock(10, TimeUnit.MILLISECONDS)) {
                try {
                    return current;
                } finally {
                    lock.readLock().unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return current; // a refresh is loading: serve the rates we have rather than wait for it
    }

    /**
     * Loads the latest rates from the rate service. If the call fails, the cache keeps the rates
     * it had and the failure is thrown to the caller.
     */
    public void refresh() throws IOException, InterruptedException {
        lock.writeLock().lock();
        try {
            current = source.fetchLatest();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
