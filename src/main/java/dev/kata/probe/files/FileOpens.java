package dev.kata.probe.files;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the learner's code opened files: each open call in a learner class is rewritten (see
 * {@link OpenSiteRewriter}) to report its path argument just before the call and its success just
 * after it. Public because the rewritten learner classes call it; nothing else should.
 */
public final class FileOpens {
    /**
     * Paths kept at most, the least recently opened dropped first: a loop that opens millions of
     * files must not exhaust the heap, and a leak opened early or late in a test keeps its line.
     */
    private static final int KEPT_PATHS = 10_000;
    /** Different lines kept per path, the latest first. */
    private static final int LINES_PER_PATH = 4;
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final ThreadLocal<Open> PENDING = new ThreadLocal<>();
    private static final Map<String, Deque<Open>> BY_PATH = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Open>> eldest) {
            return size() > KEPT_PATHS;
        }
    };
    private static long count;
    /** Set by a hidden test (through {@link dev.kata.probe.api.FileOpenWatch}): told of each open as it happens. */
    private static volatile Consumer<String> watcher;

    /** One file opened by the learner's code: its real path, the line that opened it, and its place in the order of opens. */
    public record Open(long sequence, String path, String line) {
    }

    private FileOpens() {
    }

    /** Called by a rewritten learner class with an open call's first argument, just before the call. */
    public static void opening(Object where) {
        String path = where instanceof Path p ? p.toAbsolutePath().normalize().toString()
                : where instanceof File f ? f.getAbsolutePath()
                : where instanceof String s ? new File(s).getAbsolutePath()
                : null;
        if (path == null) {
            PENDING.remove();
            return;
        }
        StackWalker.StackFrame caller = WALKER.walk(frames -> frames.skip(1).findFirst()).orElse(null);
        String line = caller == null || caller.getFileName() == null ? null
                : caller.getFileName() + ":" + caller.getLineNumber();
        PENDING.set(new Open(0, path, line));
    }

    /** Tells {@code watch} of every file the learner's code opens from now on, just after it opened; null: no one. */
    public static void watch(Consumer<String> watch) {
        watcher = watch;
    }

    /** Called by a rewritten learner class just after an open call returned: the file is open. */
    public static void opened() {
        Open pending = PENDING.get();
        PENDING.remove();
        if (pending != null) {
            tellWatcher(pending.path());
        }
        if (pending == null || pending.line() == null) {
            return;
        }
        String path = realPath(pending.path());
        synchronized (BY_PATH) {
            count++;
            Deque<Open> opens = BY_PATH.remove(path); // put back below: the path becomes the most recent
            if (opens == null) {
                opens = new ArrayDeque<>();
            }
            opens.removeIf(o -> o.line().equals(pending.line()));
            opens.addFirst(new Open(count, path, pending.line()));
            if (opens.size() > LINES_PER_PATH) {
                opens.removeLast();
            }
            BY_PATH.put(path, opens);
        }
    }

    /** How many opens have been recorded so far: a mark for {@link #since}. */
    public static long mark() {
        synchronized (BY_PATH) {
            return count;
        }
    }

    /** The latest open of each path and line recorded after {@code mark}, oldest first. */
    public static List<Open> since(long mark) {
        synchronized (BY_PATH) {
            return BY_PATH.values().stream().flatMap(Deque::stream).filter(o -> o.sequence() > mark)
                    .sorted(Comparator.comparingLong(Open::sequence)).toList();
        }
    }

    /**
     * For each of {@code paths} that the learner's code opened after {@code mark}: the lines that
     * opened it, most recent first (a file opened by two lines cannot be told apart by its path).
     */
    public static Map<String, List<String>> lines(Collection<String> paths, long mark) {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        synchronized (BY_PATH) {
            for (String path : paths) {
                List<String> at = BY_PATH.getOrDefault(path, new ArrayDeque<>()).stream()
                        .filter(o -> o.sequence() > mark).map(Open::line).toList();
                if (!at.isEmpty()) {
                    lines.put(path, at);
                }
            }
        }
        return lines;
    }

    private static void tellWatcher(String path) {
        Consumer<String> watch = watcher;
        if (watch != null) {
            try {
                watch.accept(path);
            } catch (RuntimeException e) {
                // the test's own fault: the learner's open must not fail for it
            }
        }
    }

    private static String realPath(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return path;
        }
    }
}
