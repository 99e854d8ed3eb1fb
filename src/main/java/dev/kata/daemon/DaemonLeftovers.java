package dev.kata.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * Each build of the tutor has a daemon address of its own, so every rebuild leaves a lock and a log
 * file in the cache folder (and a socket, if its daemon was killed). A daemon that starts removes
 * those of other builds that no daemon holds and nobody has touched for a while.
 */
final class DaemonLeftovers {
    /** Far beyond a daemon's idle time: files this old belong to a build nobody runs any more. */
    static final Duration STALE = Duration.ofHours(1);

    private DaemonLeftovers() {
    }

    /** Removes other builds' daemon files beside {@code mine}'s, untouched for {@code stale}; returns how many builds. */
    static int sweep(DaemonAddress mine, Duration stale) {
        Path dir = mine.lock().getParent();
        Instant before = Instant.now().minus(stale);
        int removed = 0;
        try (DirectoryStream<Path> locks = Files.newDirectoryStream(dir, "daemon-*.lock")) {
            for (Path lock : locks) {
                if (!lock.equals(mine.lock()) && removeIfStale(lock, before)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            // only tidying
        }
        return removed;
    }

    private static boolean removeIfStale(Path lock, Instant before) {
        String name = lock.getFileName().toString();
        String stem = name.substring(0, name.length() - ".lock".length());
        Path log = lock.resolveSibling(stem + ".log");
        Path socket = lock.resolveSibling(stem + ".sock");
        if (touchedSince(lock, before) || touchedSince(log, before) || touchedSince(socket, before)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE);
                FileLock held = channel.tryLock()) {
            if (held == null) {
                return false; // its daemon is still serving
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(log);
            Files.deleteIfExists(lock);
            return true;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    private static boolean touchedSince(Path file, Instant since) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isAfter(since);
        } catch (IOException e) {
            return false; // not there
        }
    }
}
