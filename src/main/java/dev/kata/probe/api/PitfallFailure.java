package dev.kata.probe.api;

/**
 * A failed hidden-test assertion that names the pitfall behind it, so the verdict says
 * "race" or "leak" rather than a bare "test failure". Thrown through {@link Pitfalls}.
 */
public final class PitfallFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final Reason reason;
    private int stressThreads;
    private int stressRounds;
    private boolean ordered;

    public PitfallFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * Says the failure was seen by a stress run: {@code threads} threads at once, failing in one of
     * {@code rounds} rounds. The verdict names this evidence ("stress: seen under 16 threads, 3
     * rounds"), as opposed to an interleaving the model checker found.
     */
    public PitfallFailure underStress(int threads, int rounds) {
        this.stressThreads = threads;
        this.stressRounds = rounds;
        return this;
    }

    /**
     * Says the failure was seen in a scenario whose steps the test put in order itself (a pool
     * that hands a released buffer out at once, a latch that holds one thread until the other has
     * written): it shows the same way on every run, unlike a stress run's.
     */
    public PitfallFailure inOrderedScenario() {
        this.ordered = true;
        return this;
    }

    /** Whether the test ordered the steps that showed it ({@link #inOrderedScenario}). */
    public boolean ordered() {
        return ordered;
    }

    /** The threads of the stress run that saw it, or 0 if the test did not say. */
    public int stressThreads() {
        return stressThreads;
    }

    /** The rounds of the stress run that saw it, or 0 if the test did not say. */
    public int stressRounds() {
        return stressRounds;
    }
}
