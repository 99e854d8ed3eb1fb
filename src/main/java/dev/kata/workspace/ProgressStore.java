package dev.kata.workspace;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * <li>Each write keeps the file it replaces as {@code progress.json.prev}, the last good
 *     generation. A corrupt file is moved aside to {@code progress.json.corrupt-<timestamp>} (never
 *     deleted), one warning is reported, and progress comes back from that generation, so a garbled
 *     write loses at most its own change. Only when both are unreadable is progress rebuilt from
 *     the workspace: a kata whose files exist is in progress.</li>
 * <li>A workspace that cannot be written (a read-only mount, say) can still be read; an update
 *     there throws {@link ProgressNotRecordedException}, which callers report after their work.</li>
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
        try {
            return locked(this::load);
        } catch (ProgressNotRecordedException e) {
            // Nothing can be written here, so nobody can be writing either: read as it is.
            try {
                return loadReadOnly();
            } catch (IOException io) {
                throw new KataException("cannot read your progress in " + workspace.stateDir() + ": " + io.getMessage(), io);
            }
        }
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
            FileChannel channel;
            try {
                Files.createDirectories(workspace.stateDir());
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new ProgressNotRecordedException(workspace.stateDir(), e);
            }
            try (channel) {
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

    /** What a file of progress holds: its progress, or why it could not be read. */
    private record Generation(Progress progress, String problem) {
        static Generation of(Path file) {
            String json;
            try {
                json = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                return new Generation(null, "unreadable (" + e.getMessage() + ")");
            }
            try {
                return new Generation(ProgressJson.read(json), null);
            } catch (ProgressJson.CorruptProgressException e) {
                return new Generation(null, e.getMessage());
            }
        }

        boolean good() {
            return progress != null;
        }
    }

    private Path previousFile() {
        Path file = workspace.progressFile();
        return file.resolveSibling(file.getFileName() + ".prev");
    }

    private Progress load() throws IOException {
        Path file = workspace.progressFile();
        Generation current = Generation.of(file);
        if (current != null && current.good()) {
            return current.progress();
        }
        Generation previous = Generation.of(previousFile());
        if (current == null) {
            // A crash between the two renames of a write leaves only the previous generation.
            return previous != null && previous.good() ? previous.progress() : Progress.EMPTY;
        }
        Path aside = moveAside(file);
        Progress restored;
        String how;
        if (previous != null && previous.good()) {
            restored = previous.progress();
            how = "your progress was restored from the generation before it (only the last change may be missing)";
        } else {
            restored = rebuild();
            how = "your progress was rebuilt from your files (" + restored.katas().size()
                    + (restored.katas().size() == 1 ? " kata" : " katas") + " in progress;"
                    + " checks, hints and solved dates could not be recovered)";
        }
        write(restored);
        warnings.accept("warning: " + file + " was " + current.problem() + "; it was moved to " + aside.getFileName()
                + " and " + how + ".");
        return restored;
    }

    /** The best progress there is, without writing anything: for a workspace that cannot be written. */
    private Progress loadReadOnly() throws IOException {
        for (Path file : List.of(workspace.progressFile(), previousFile())) {
            Generation generation = Generation.of(file);
            if (generation != null && generation.good()) {
                return generation.progress();
            }
        }
        return Files.exists(workspace.progressFile()) ? rebuild() : Progress.EMPTY;
    }

    private Path moveAside(Path file) throws IOException {
        Instant now = clock.instant();
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.withZone(clock.getZone()).format(now));
        for (int n = 2; Files.exists(aside); n++) {
            aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.withZone(clock.getZone()).format(now) + "-" + n);
        }
        Files.move(file, aside);
        return aside;
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
            if (Files.exists(file)) {
                // load() read this file whole before any write, so it is a good generation to keep.
                AtomicFiles.move(file, previousFile());
            }
            AtomicFiles.move(temp, file);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
