package dev.kata.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A starting daemon removes the files old builds left behind, and nothing anyone still uses. */
class DaemonLeftoversTest {
    @TempDir
    Path cache;

    @Test
    void removesOnlyOtherBuildsFilesThatAreOldAndHeldByNoDaemon() throws Exception {
        DaemonAddress mine = addressOf("mine");
        List<Path> mineFiles = build("mine", Duration.ofDays(3));
        List<Path> oldBuild = build("old", Duration.ofDays(3));
        List<Path> recentBuild = build("recent", Duration.ofMinutes(5));
        List<Path> servingBuild = build("serving", Duration.ofDays(3));

        int removed;
        try (FileChannel channel = FileChannel.open(servingBuild.get(0), StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            removed = DaemonLeftovers.sweep(mine, DaemonLeftovers.STALE);
        }

        assertEquals(1, removed);
        oldBuild.forEach(f -> assertFalse(Files.exists(f), f + " should be gone"));
        for (List<Path> kept : List.of(mineFiles, recentBuild, servingBuild)) {
            kept.forEach(f -> assertTrue(Files.exists(f), f + " should be kept"));
        }
    }

    private DaemonAddress addressOf(String key) {
        return new DaemonAddress(cache.resolve("daemon-" + key + ".sock"), cache.resolve("daemon-" + key + ".lock"),
                cache.resolve("daemon-" + key + ".log"), "");
    }

    /** A build's lock, log and socket files, last touched {@code age} ago; the lock first. */
    private List<Path> build(String key, Duration age) throws Exception {
        DaemonAddress address = addressOf(key);
        List<Path> files = List.of(address.lock(), address.log(), address.socket());
        for (Path file : files) {
            Files.writeString(file, "");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        }
        return files;
    }
}
