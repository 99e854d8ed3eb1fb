package dev.kata.shell;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Tells the session when the learner saved: watches the kata's source folder (not the files, so
 * that editors that write a new file and rename it over the old one are seen too), and also
 * compares the files' size, time and content every {@code pollEvery}, for file systems that send
 * no change events. A change is reported once the folder has been quiet for {@code debounce}, and
 * only if the {@code .java} files differ from what was last reported.
 */
final class FileWatcher implements AutoCloseable {
    static final Duration DEBOUNCE = Duration.ofMillis(150);
    static final Duration POLL = Duration.ofMillis(300);

    private final Path dir;
    private final long debounceNanos;
    private final long pollMillis;
    private final Runnable onChange;
    private final boolean useEvents;
    private final Thread thread;
    private volatile WatchService service;
    private volatile boolean closed;

    private Map<String, FileState> seen;
    private Map<String, FileState> reported;
    private long dueAt = -1;

    FileWatcher(Path dir, Runnable onChange) {
        this(dir, onChange, DEBOUNCE, POLL, true);
    }

    /**
     * @param useEvents false to rely on polling alone (as on a file system without change events)
     */
    FileWatcher(Path dir, Runnable onChange, Duration debounce, Duration pollEvery, boolean useEvents) {
        this.dir = dir;
        this.onChange = onChange;
        this.debounceNanos = debounce.toNanos();
        this.pollMillis = Math.max(1, pollEvery.toMillis());
        this.useEvents = useEvents;
        this.seen = snapshot();
        this.reported = seen;
        this.thread = Thread.ofPlatform().daemon().name("kata-watch").unstarted(this::loop);
    }

    FileWatcher start() {
        if (useEvents) {
            try {
                service = FileSystems.getDefault().newWatchService();
                dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException | UnsupportedOperationException e) {
                closeService();
            }
        }
        thread.start();
        return this;
    }

    /** Whether change events arrive (else polling alone notices saves). */
    boolean usesEvents() {
        return service != null;
    }

    private boolean holding;

    /** Reports nothing until {@link #resync()}: the session is about to change the files itself (a reset). */
    synchronized void hold() {
        holding = true;
    }

    /** Takes the files as they are now as seen and reported: a change the session made itself (a reset) is not a save. */
    synchronized void resync() {
        seen = snapshot();
        reported = seen;
        dueAt = -1;
        holding = false;
    }

    private void loop() {
        try {
            while (!closed) {
                long waitMs;
                synchronized (this) {
                    waitMs = dueAt < 0 ? pollMillis
                            : Math.max(1, Math.min(pollMillis, (dueAt - System.nanoTime() + 999_999) / 1_000_000));
                }
                waitForEvents(waitMs);
                if (closed) {
                    return;
                }
                boolean fire = false;
                synchronized (this) {
                    Map<String, FileState> now = snapshot();
                    if (!now.equals(seen)) {
                        seen = now;
                        dueAt = System.nanoTime() + debounceNanos;
                    }
                    if (dueAt >= 0 && System.nanoTime() >= dueAt && !holding) {
                        dueAt = -1;
                        if (!seen.equals(reported)) {
                            reported = seen;
                            fire = true;
                        }
                    }
                }
                if (fire) {
                    onChange.run();
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void waitForEvents(long millis) throws InterruptedException {
        WatchService watch = service;
        if (watch == null) {
            Thread.sleep(millis);
            return;
        }
        try {
            WatchKey key = watch.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            while (key != null) {
                key.pollEvents();
                if (!key.reset()) {
                    // The folder went away (or was replaced): polling carries on alone.
                    closeService();
                    return;
                }
                key = watch.poll();
            }
        } catch (ClosedWatchServiceException e) {
            if (!closed) {
                Thread.sleep(millis);
            }
        }
    }

    /** Every .java file in the folder: size, modification time and a hash of the content. */
    private Map<String, FileState> snapshot() {
        Map<String, FileState> files = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> p.getFileName().toString().endsWith(".java")).forEach(p -> {
                try {
                    byte[] content = Files.readAllBytes(p);
                    files.put(p.getFileName().toString(),
                            new FileState(content.length, Files.getLastModifiedTime(p).toMillis(), digest(content)));
                } catch (IOException e) {
                    files.put(p.getFileName().toString(), new FileState(-1, -1, null));
                }
            });
        } catch (IOException e) {
            // the folder is being replaced: the next look sees it
        }
        return files;
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record FileState(long size, long modified, byte[] hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FileState f && size == f.size && modified == f.modified && Arrays.equals(hash, f.hash);
        }

        @Override
        public int hashCode() {
            return Objects.hash(size, modified, Arrays.hashCode(hash));
        }
    }

    private void closeService() {
        WatchService watch = service;
        service = null;
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                // nothing to release
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeService();
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
