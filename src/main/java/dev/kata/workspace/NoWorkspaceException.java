package dev.kata.workspace;

import dev.kata.KataException;

/** No workspace was given or found; the message says how to make one. */
public final class NoWorkspaceException extends KataException {
    private static final long serialVersionUID = 1L;

    public NoWorkspaceException(String message) {
        super(message);
    }
}
