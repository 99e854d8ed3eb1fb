package dev.kata.probe.time;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Time limits in the learner's code, shortened about a thousandfold: a second becomes a
 * millisecond. A wait for the work itself (a join, an await with no limit) is not touched, so
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

    /** The unit of a time limit, one step finer (minutes and longer shorten by 60 or 24). */
    public static TimeUnit unit(TimeUnit unit) {
        if (unit == null) {
            return null;
        }
        return switch (unit) {
            case NANOSECONDS, MICROSECONDS -> TimeUnit.NANOSECONDS;
            case MILLISECONDS -> TimeUnit.MICROSECONDS;
            case SECONDS -> TimeUnit.MILLISECONDS;
            case MINUTES -> TimeUnit.SECONDS;
            case HOURS -> TimeUnit.MINUTES;
            case DAYS -> TimeUnit.HOURS;
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
