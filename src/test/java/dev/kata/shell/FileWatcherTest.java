package dev.kata.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileWatcherTest {
    @TempDir
    Path dir;

    private final AtomicInteger changes = new AtomicInteger();

    private FileWatcher watcher(boolean events) {
        return new FileWatcher(dir, changes::incrementAndGet, Duration.ofMillis(150), Duration.ofMillis(100), events)
                .start();
    }

    private void awaitChanges(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (changes.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(400); // and no more than that after a quiet spell
        assertEquals(expected, changes.get());
    }

    @ParameterizedTest(name = "change events: {0}")
    @ValueSource(booleans = {true, false})
    void aSaveInPlaceIsSeenOnce(boolean events) throws Exception {
        Path file = Files.writeString(dir.resolve("A.java"), "class A {}");
        try (FileWatcher w = watcher(events)) {
            Files.writeString(file, "class A { int x; }");
            awaitChanges(1);
        }
    }

    @ParameterizedTest(name = "change events: {0}")
    @ValueSource(booleans = {true, false})
    void anEditorThatWritesANewFileAndRenamesItOverTheOldOneIsSeen(boolean events) throws Exception {
        Path file = Files.writeString(dir.resolve("A.java"), "class A {}");
        try (FileWatcher w = watcher(events)) {
            Path swap = Files.writeString(dir.resolve(".A.java.swp"), "class A { int y; }");
            Files.move(swap, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            awaitChanges(1);
        }
    }

    @Test
    void aBurstOfWritesIsOneChangeOnceQuiet() throws Exception {
        Path file = Files.writeString(dir.resolve("A.java"), "class A {}");
        try (FileWatcher w = watcher(true)) {
            for (int i = 0; i < 5; i++) {
                Files.writeString(file, "class A { int x" + i + "; }");
                Thread.sleep(30);
            }
            awaitChanges(1);
        }
    }

    @Test
    void otherFilesAndAChangeTheSessionMadeItselfAreNotSaves() throws Exception {
        Path file = Files.writeString(dir.resolve("A.java"), "class A {}");
        try (FileWatcher w = watcher(true)) {
            Files.writeString(dir.resolve("notes.txt"), "not code");
            w.hold();
            Files.writeString(file, "class A { /* reset */ }");
            Thread.sleep(400); // longer than the debounce: held, so not reported
            w.resync();
            Thread.sleep(400);
            assertEquals(0, changes.get());
            Files.writeString(file, "class A { int z; }");
            awaitChanges(1);
        }
    }
}
