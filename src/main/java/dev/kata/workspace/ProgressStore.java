package dev.kata.workspace;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Reads and writes {@code .kata/progress.json}.
 * <ul>
 * <li>Every read-modify-write holds a lock on {@code .kata/lock}, so concurrent kata processes
 *     do not lose each other's updates.</li>
 * <li>Writes go to a temporary file that is then renamed over the old one: a crash leaves the old
 *     file or the new one, never half of one.</li>
 * <li>A corrupt file is moved aside to {@code progress.json.corrupt-<timestamp>} (never deleted),
 *     one warning is reported, and progress is rebuilt from the workspace: a kata whose files
 *     exist is in progress.</li>
 * </ul>
 */
public final class ProgressStore {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    // A FileLock is held per JVM, not per thread: threads of one JVM queue on this lock first.
    private static final Map<Path, ReentrantLock> LOCAL_LOCKS = new ConcurrentHashMap<>();

    private final Workspace workspace;
    private final List<Kata> katas;
    private final Consumer<String> warnings;
    private final Clock clock;

    /**
     * @param katas    the katas of the pack, to rebuild progress from the workspace if the file is corrupt
     * @param warnings where one-line warnings go (stderr)
     */
    public ProgressStore(Workspace workspace, List<Kata> katas, Consumer<String> warnings, Clock clock) {
        this.workspace = workspace;
        this.katas = List.copyOf(katas);
        this.warnings = warnings;
        this.clock = clock;
    }

    public Progress read() {
        return locked(() -> load());
    }

    /** Applies {@code change} to the stored progress under the lock and stores the result. */
    public Progress update(UnaryOperator<Progress> change) {
        return locked(() -> {
            Progress next = change.apply(load());
            write(next);
            return next;
        });
    }

    public Progress update(String kataId, UnaryOperator<KataProgress> change) {
        return update(progress -> progress.update(kataId, change));
    }

    private interface IoAction<T> {
        T run() throws IOException;
    }

    private <T> T locked(IoAction<T> action) {
        Path lockFile = workspace.lockFile();
        ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        local.lock();
        try {
            Files.createDirectories(workspace.stateDir());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    return action.run();
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new KataException("cannot update your progress in " + workspace.stateDir() + ": " + e.getMessage(), e);
        } finally {
            local.unlock();
        }
    }

    private Progress load() throws IOException {
        Path file = workspace.progressFile();
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Progress.EMPTY;
        } catch (IOException e) {
            return recover(file, "unreadable (" + e.getMessage() + ")");
        }
        try {
            return ProgressJson.read(json);
        } catch (ProgressJson.CorruptProgressException e) {
            return recover(file, e.getMessage());
        }
    }

    private Progress recover(Path file, String problem) throws IOException {
        Instant now = clock.instant();
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.withZone(clock.getZone()).format(now));
        for (int n = 2; Files.exists(aside); n++) {
            aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.withZone(clock.getZone()).format(now) + "-" + n);
        }
        Files.move(file, aside);
        Progress rebuilt = rebuild();
        write(rebuilt);
        warnings.accept("warning: " + file + " was " + problem + "; it was moved to " + aside.getFileName()
                + " and your progress was rebuilt from your files (" + rebuilt.katas().size() + " katas in progress).");
        return rebuilt;
    }

    private Progress rebuild() throws IOException {
        Map<String, KataProgress> katasInProgress = new LinkedHashMap<>();
        for (Kata kata : katas) {
            Instant started = null;
            for (Path file : workspace.learnerFiles(kata)) {
                if (Files.exists(file)) {
                    Instant modified = Files.getLastModifiedTime(file).toInstant();
                    started = started == null || modified.isBefore(started) ? modified : started;
                }
            }
            if (started != null) {
                katasInProgress.put(kata.id(), KataProgress.NONE.started(started));
            }
        }
        return new Progress(katasInProgress);
    }

    private void write(Progress progress) throws IOException {
        Path file = workspace.progressFile();
        Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(ProgressJson.write(progress).getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
