package dev.kata.probe.api;

import org.opentest4j.TestAbortedException;

/**
 * A model-checked test that the checker could not carry out on the learner's code (it met
 * something it cannot follow, such as a kind of VarHandle it does not know). The scenario has run
 * on real threads instead and passed there; the test is reported as not run, with why, not as a
 * failure of the learner's code.
 */
public final class NotModelChecked extends TestAbortedException {
    private static final long serialVersionUID = 1L;

    public NotModelChecked(String message) {
        super(message);
    }
}
