package dev.kata.workspace;

import dev.kata.KataException;

/** No workspace was given or found; the message says how to make one. */
public final class NoWorkspaceException extends KataException {
    private static final long serialVersionUID = 1L;
    private final boolean named;

    public NoWorkspaceException(String message) {
        this(message, false);
    }

    NoWorkspaceException(String message, boolean named) {
        super(message);
        this.named = named;
    }

    /** True when the user named a folder ({@code -w}, {@code KATA_WORKSPACE}) that is not a workspace: always an error. */
    public boolean named() {
        return named;
    }
}
