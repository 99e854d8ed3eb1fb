package dev.kata.workspace;

import dev.kata.KataException;
import java.io.IOException;
import java.nio.file.Path;

/** The workspace's state folder cannot be written (a read-only mount, say): progress was not recorded. */
public final class ProgressNotRecordedException extends KataException {
    private static final long serialVersionUID = 1L;

    ProgressNotRecordedException(Path stateDir, IOException cause) {
        super("cannot record your progress in " + stateDir + ": " + reason(cause), cause);
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        return e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : message == null ? e.getClass().getSimpleName() : message;
    }
}
