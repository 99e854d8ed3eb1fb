package dev.kata.probe.files;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the learner's code opened files: each open call in a learner class is rewritten (see
 * {@link OpenSiteRewriter}) to report its path argument just before the call and its success just
 * after it. Public because the rewritten learner classes call it; nothing else should.
 */
public final class FileOpens {
    /** Opens kept at most: a loop that opens millions of files must not exhaust the heap. */
    private static final int KEPT = 10_000;
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final ThreadLocal<Open> PENDING = new ThreadLocal<>();
    private static final List<Open> OPENED = new ArrayList<>();
    private static long count;

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

    /** Called by a rewritten learner class just after an open call returned: the file is open. */
    public static void opened() {
        Open pending = PENDING.get();
        PENDING.remove();
        if (pending == null || pending.line() == null) {
            return;
        }
        String path = realPath(pending.path());
        synchronized (OPENED) {
            count++;
            if (OPENED.size() < KEPT) {
                OPENED.add(new Open(count, path, pending.line()));
            }
        }
    }

    /** How many opens have been recorded so far: a mark for {@link #since}. */
    public static long mark() {
        synchronized (OPENED) {
            return count;
        }
    }

    /** Opens recorded after {@code mark}, oldest first. */
    public static List<Open> since(long mark) {
        synchronized (OPENED) {
            return OPENED.stream().filter(o -> o.sequence() > mark).toList();
        }
    }

    /**
     * For each of {@code paths} that the learner's code opened after {@code mark}: the lines that
     * opened it, most recent first (a file opened by two lines cannot be told apart by its path).
     */
    public static Map<String, List<String>> lines(Collection<String> paths, long mark) {
        Map<String, Set<String>> found = new LinkedHashMap<>();
        List<Open> opens = new ArrayList<>(since(mark));
        java.util.Collections.reverse(opens);
        for (Open open : opens) {
            if (paths.contains(open.path())) {
                found.computeIfAbsent(open.path(), p -> new LinkedHashSet<>()).add(open.line());
            }
        }
        Map<String, List<String>> lines = new LinkedHashMap<>();
        found.forEach((path, at) -> lines.put(path, List.copyOf(at)));
        return lines;
    }

    private static String realPath(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return path;
        }
    }
}
