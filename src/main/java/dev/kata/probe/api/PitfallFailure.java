package dev.kata.probe.api;

/**
 * A failed hidden-test assertion that names the pitfall behind it, so the verdict says
 * "race" or "leak" rather than a bare "test failure". Thrown through {@link Pitfalls}.
 */
public final class PitfallFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    public PitfallFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
