package dev.kata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The tutor's own temporary files and folders (a check's work folder, a mutant's copy, a staging folder). */
public final class TempFiles {
    private TempFiles() {
    }

    /**
     * Deletes {@code path}, a file or a folder with all it holds, as far as it can: something left
     * behind in a temporary place is harmless, and never worth failing the command that made it.
     */
    public static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
