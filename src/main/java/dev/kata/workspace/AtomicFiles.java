package dev.kata.workspace;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Replacing a workspace file so that a crash leaves the old file or the new one, never half of one. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Renames {@code from} over {@code to}: atomically where the file system can. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes {@code target} a copy of {@code source}, through a temporary file beside it; read-only if asked. */
    static void copy(Path source, Path target, boolean readOnly) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            if (readOnly) {
                temp.toFile().setWritable(false, false);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
