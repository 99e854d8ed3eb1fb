package blockingunderlock;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Exchange rates for the checkout service. Every checkout converts its prices with the cached
 * rates; a scheduled job (and, now and then, an operator) calls {@link #refresh()} to load the
 * latest rates from the treasury's rate service, a remote call that usually takes a few
 * milliseconds and sometimes many seconds.
 *
 * <p>Every method is synchronized, so a checkout never sees half of an update.
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
    private Snapshot current = new Snapshot(0, Map.of()); // guarded by this

    public RateCache(RateSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** The cached rate of {@code currency} against the base currency, if it is known. */
    public synchronized Optional<BigDecimal> rate(String currency) {
        return Optional.ofNullable(current.rates().get(currency));
    }

    /** The version of the cached snapshot (0 before the first refresh). */
    public synchronized long version() {
        return current.version();
    }

    /**
     * Loads the latest rates from the rate service. If the call fails, the cache keeps the rates
     * it had and the failure is thrown to the caller.
     */
    public synchronized void refresh() throws IOException, InterruptedException {
        current = source.fetchLatest();
    }
}
