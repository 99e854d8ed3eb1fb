package dev.kata.probe.api;

/**
 * Assertions for hidden tests that name the pitfall they detect. Use them where a plain
 * {@code assertEquals} would only say "expected 1000 but was 987":
 *
 * <pre>{@code
 * if (loads.get() != 1) {
 *     throw Pitfalls.race("the loader ran " + loads.get() + " times for one key: two threads both saw a miss");
 * }
 * }</pre>
 */
public final class Pitfalls {
    private Pitfalls() {
    }

    public static PitfallFailure race(String message) {
        return new PitfallFailure(Reason.RACE, message);
    }

    public static PitfallFailure leak(String message) {
        return new PitfallFailure(Reason.LEAK, message);
    }

    public static PitfallFailure lostWork(String message) {
        return new PitfallFailure(Reason.LOST_WORK, message);
    }

    public static PitfallFailure resourceLeak(String message) {
        return new PitfallFailure(Reason.RESOURCE_LEAK, message);
    }

    public static PitfallFailure deadlock(String message) {
        return new PitfallFailure(Reason.DEADLOCK, message);
    }

    public static PitfallFailure timeout(String message) {
        return new PitfallFailure(Reason.TIMEOUT, message);
    }

    public static PitfallFailure of(Reason reason, String message) {
        return new PitfallFailure(reason, message);
    }

    /** Fails with {@code reason} and {@code message} unless {@code condition} holds. */
    public static void check(boolean condition, Reason reason, String message) {
        if (!condition) {
            throw new PitfallFailure(reason, message);
        }
    }
}
