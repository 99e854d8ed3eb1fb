package dev.kata.probe.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Time limits in the learner's code, shortened a thousandfold and to {@value #CAP_MILLIS} ms at
 * most: a second becomes a millisecond, and a minute, an hour or a day, in whatever unit it is
 * given (nanoseconds counted out by hand included), becomes {@value #CAP_MILLIS} ms. So one
 * generous hold in a test outlasts any guessed limit. A limit of a year or more is left as it is:
 * {@code Long.MAX_VALUE} in some unit is the usual way to say "no limit", and it stays one. A wait
 * for the work itself (a join, an await with no limit) is not touched either, so correct code
 * behaves as before, while code that waits a guessed time and then goes on as if the work were
 * done shows itself at once, whatever its guess. The clock the learner's code reads runs a
 * thousand times fast as well, so that a deadline it counts out by hand passes as soon as a limit
 * handed to the JDK would. A kata turns this on with
 * {@code -Dkata.shortTimeouts=true}; {@link TimeoutRewriter} puts the calls in. Public for the
 * rewritten classes only.
 */
public final class ShortTimeouts {
    /** How much shorter. */
    static final long FACTOR = 1000;
    /** The longest a shortened limit may be: less than any hold of the katas' tests. */
    static final long CAP_MILLIS = 60;
    private static final long CAP_NANOS = TimeUnit.MILLISECONDS.toNanos(CAP_MILLIS);
    /** From this long on, a limit means "for good". */
    private static final Duration FOREVER = Duration.ofDays(365);
    private static final long FOREVER_MILLIS = FOREVER.toMillis();
    private static final long FOREVER_NANOS = FOREVER.toNanos();

    /** Where the learner's clocks start running fast: this class's first use (a limit or a reading). */
    private static final long ORIGIN_NANOS = System.nanoTime();
    private static final long ORIGIN_MILLIS = System.currentTimeMillis();
    private static final Instant ORIGIN_INSTANT = Instant.ofEpochMilli(ORIGIN_MILLIS);

    private ShortTimeouts() {
    }

    /** {@code System.nanoTime()}, read by the learner's code: a thousand times fast. */
    public static long nanoTime(long real) {
        return ORIGIN_NANOS + (real - ORIGIN_NANOS) * FACTOR;
    }

    /** {@code System.currentTimeMillis()}, read by the learner's code: a thousand times fast. */
    public static long currentTimeMillis(long real) {
        return ORIGIN_MILLIS + (real - ORIGIN_MILLIS) * FACTOR;
    }

    /** {@code Instant.now()}, read by the learner's code: a thousand times fast. */
    public static Instant instant(Instant real) {
        if (real == null) {
            return null;
        }
        return ORIGIN_INSTANT.plus(Duration.between(ORIGIN_INSTANT, real).multipliedBy(FACTOR));
    }

    /**
     * The amount of a {@code (..., long, TimeUnit)} call, as the nanoseconds the call is then given
     * (its unit is replaced by {@code NANOSECONDS}).
     */
    public static long nanos(long amount, TimeUnit unit) {
        if (unit == null) {
            return amount; // the call throws its own NullPointerException on the unit it is given
        }
        return shortenNanos(unit.toNanos(amount));
    }

    /**
     * The unit of a call with two amounts before it ({@code scheduleAtFixedRate}'s delay and
     * period, which are no waits): one step finer up to seconds, milliseconds for seconds and longer.
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

    /** A limit in milliseconds ({@code sleep}, {@code join}, {@code wait}); 0 (no limit) and below stay as they are. */
    public static long millis(long amount) {
        return shorten(amount, CAP_MILLIS, FOREVER_MILLIS);
    }

    /** A limit in nanoseconds ({@code parkNanos}, {@code awaitNanos}); 0 and below stay as they are. */
    public static long shortenNanos(long amount) {
        return shorten(amount, CAP_NANOS, FOREVER_NANOS);
    }

    /**
     * The rule, in one unit: no limit (0 and below, or {@code forever} and above) stays as it is; any
     * other limit becomes a thousandth of itself, at least 1 and at most {@code cap}.
     */
    private static long shorten(long amount, long cap, long forever) {
        if (amount <= 0 || amount >= forever) {
            return amount;
        }
        return Math.max(1, Math.min(amount / FACTOR, cap));
    }

    /** A limit as a Duration; a positive one stays positive. */
    public static Duration duration(Duration limit) {
        if (limit == null || limit.isNegative() || limit.isZero() || limit.compareTo(FOREVER) >= 0) {
            return limit;
        }
        return Duration.ofNanos(shortenNanos(limit.toNanos()));
    }
}
