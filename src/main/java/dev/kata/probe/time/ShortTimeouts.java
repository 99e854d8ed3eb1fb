package dev.kata.probe.time;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Time limits in the learner's code, shortened at least a thousandfold: a second becomes a
 * millisecond, and so does a minute given as a {@code TimeUnit} (a minute as a {@code Duration}
 * becomes 60 ms), so that one generous hold in a test outlasts any guessed limit, in whatever
 * unit. A wait for the work itself (a join, an await with no limit) is not touched, so
 * correct code behaves as before, while code that waits a guessed time and then goes on as if
 * the work were done shows itself at once, whatever its guess. A kata turns this on with
 * {@code -Dkata.shortTimeouts=true}; {@link TimeoutRewriter} puts the calls in. Public for the
 * rewritten classes only.
 */
public final class ShortTimeouts {
    /** How much shorter: exactly one TimeUnit step for nanoseconds to seconds. */
    static final long FACTOR = 1000;

    private ShortTimeouts() {
    }

    /**
     * The unit of a time limit: one step finer up to seconds, milliseconds for seconds and longer.
     * (One step finer for minutes would shorten them only sixtyfold: a minute would become a
     * second, longer than a test holds its scenario.)
     */
    public static TimeUnit unit(TimeUnit unit) {
        if (unit == null) {
            return null;
        }
        return switch (unit) {
            case NANOSECONDS, MICROSECONDS -> TimeUnit.NANOSECONDS;
            case MILLISECONDS -> TimeUnit.MICROSECONDS;
            case SECONDS, MINUTES, HOURS, DAYS -> TimeUnit.MILLISECONDS;
        };
    }

    /** A limit in milliseconds or nanoseconds; 0 (no limit, for join and wait) and below stay as they are. */
    public static long amount(long amount) {
        return amount <= 0 ? amount : Math.max(1, amount / FACTOR);
    }

    /** A limit as a Duration; a positive one stays positive. */
    public static Duration duration(Duration limit) {
        if (limit == null || limit.isNegative() || limit.isZero()) {
            return limit;
        }
        Duration shorter = limit.dividedBy(FACTOR);
        return shorter.isZero() ? Duration.ofNanos(1) : shorter;
    }
}
