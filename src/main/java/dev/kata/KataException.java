package dev.kata;

/**
 * A problem the user can fix: bad input, an unknown kata, no workspace, a broken pack.
 * The command line prints its message without a stack trace and exits with code 2.
 */
public class KataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KataException(String message) {
        super(message);
    }

    public KataException(String message, Throwable cause) {
        super(message, cause);
    }
}
