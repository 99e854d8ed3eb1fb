package dev.kata.grader;

/** The check was stopped by the user (Ctrl-C); its test JVM has been ended. */
public final class CheckCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckCancelledException() {
        super("check cancelled");
    }
}
