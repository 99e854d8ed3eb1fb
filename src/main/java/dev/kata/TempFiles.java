package dev.kata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The tutor's own temporary files and folders (a check's work folder, a mutant's copy, a staging
 * folder). A folder made by {@link #newFolder} that is still there when the tutor ends (Ctrl-C in
 * a validate, a daemon stopped with a signal) is deleted on the way out, so that no check's
 * classes and events pile up in the system's temporary folder.
 */
public final class TempFiles {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static final Object LOCK = new Object();
    private static boolean stopping;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteAllLeft, "kata-temp-cleanup"));
    }

    private TempFiles() {
    }

    /** A folder refused because the tutor is ending (Ctrl-C, a signal): the work asking for it is cancelled. */
    public static final class Stopping extends IOException {
        private static final long serialVersionUID = 1L;

        Stopping() {
            super("the tutor is stopping");
        }
    }

    /**
     * A new folder in the system's temporary folder, deleted at the latest when the tutor ends.
     * Refused once the tutor is ending.
     */
    public static Path newFolder(String prefix) throws IOException {
        synchronized (LOCK) {
            if (stopping) {
                throw new Stopping();
            }
            Path folder = Files.createTempDirectory(prefix);
            LIVE.add(folder);
            return folder;
        }
    }

    private static void deleteAllLeft() {
        synchronized (LOCK) {
            stopping = true;
        }
        if (LIVE.isEmpty()) {
            return; // a command that ended normally: nothing to wait for
        }
        LIVE.forEach(TempFiles::delete);
        // Threads still at work may write into a folder just deleted (a validate's check whose test
        // JVM another shutdown hook has just ended, say): a second pass, a moment later.
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.forEach(TempFiles::delete);
    }

    /**
     * Deletes {@code path}, a file or a folder with all it holds, as far as it can: something left
     * behind in a temporary place is harmless, and never worth failing the command that made it.
     */
    public static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        delete(path);
        LIVE.remove(path);
    }

    private static void delete(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
