package dev.kata.probe;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.kata.probe.api.Reason;
import dev.kata.probe.files.FileOpens;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Files a test opened and never closed. On Linux they are seen, by name, through
 * {@code /proc/self/fd}; on another Unix only their number is known (the JVM's count of open
 * descriptors); elsewhere the check cannot be made, and the test JVM says so once. Only regular
 * files count: the JVM's own jars, libraries and archives, pipes and sockets are its business.
 * In katas about leaked files, the learner's classes report the files they open (see
 * {@link FileOpens}), and each leaked file is named with the learner's line that opened it.
 */
final class OpenFiles {
    private static final Path FD = Path.of("/proc/self/fd");
    private static final String JAVA_HOME = System.getProperty("java.home");
    private static final AtomicBoolean TOLD = new AtomicBoolean();

    /**
     * What is open: by name when {@code named} (the files by descriptor, on Linux), else the count
     * of open descriptors (-1 when this system gives none); {@code opens} marks the learner's opens
     * recorded so far.
     */
    record Snapshot(boolean named, Map<String, String> files, long count, long opens) {
        static final Snapshot NONE = new Snapshot(false, Map.of(), -1, 0);

        Snapshot(boolean named, Map<String, String> files, long count) {
            this(named, files, count, 0);
        }
    }

    private OpenFiles() {
    }

    static boolean supported() {
        return Files.isDirectory(FD);
    }

    static Snapshot snapshot() {
        long opens = FileOpens.mark();
        return supported() ? new Snapshot(true, files(), -1, opens) : new Snapshot(false, Map.of(), descriptorCount(), opens);
    }

    /** Open file descriptor number to the file it refers to. */
    private static Map<String, String> files() {
        Map<String, String> open = new HashMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FD)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (counts(target)) {
                        open.put(fd.getFileName().toString(), target);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed while we looked: not open any more
                }
            }
        } catch (IOException e) {
            return open;
        }
        return open;
    }

    /** The JVM's own count of its open descriptors (any Unix), or -1. */
    static long descriptorCount() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    }

    private static boolean counts(String target) {
        return target.startsWith("/") && !target.startsWith("/proc/") && !target.startsWith("/dev/")
                && !target.startsWith(JAVA_HOME) && !target.endsWith(".jar") && !target.endsWith(".jsa")
                && !target.endsWith(".so") && !target.contains(".so.") && !target.endsWith(".jsonl")
                && !target.endsWith(".class");
    }

    /** Fails the test for files opened since {@code before} that are still open. */
    static void verify(Snapshot before) {
        verify(before, snapshot());
    }

    static void verify(Snapshot before, Snapshot after) {
        if (before.named() && after.named()) {
            verifyByName(before.files(), after.files(), before.opens());
        } else if (before.count() >= 0 && after.count() >= 0) {
            verifyByCount(after.count() - before.count(), FileOpens.since(before.opens()));
        } else if (TOLD.compareAndSet(false, true)) {
            System.err.println("kata: files left open are not checked on this system: it has neither /proc/self/fd "
                    + "nor a count of open file descriptors.");
        }
    }

    /**
     * For a test that failed by itself (a hidden test's own leak check, say): the learner's line
     * that opened the first file opened since {@code before} and still open, or null.
     */
    static String learnerLineOfLeak(Snapshot before) {
        if (!supported()) {
            return null;
        }
        List<String> leaked = leakedSince(before.files(), files());
        return firstOpenSite(leaked, FileOpens.lines(leaked, before.opens()));
    }

    /** The line that opened the first of {@code leaked} whose opening was seen (its latest, if several), or null. */
    private static String firstOpenSite(List<String> leaked, Map<String, List<String>> lines) {
        return leaked.stream().map(lines::get).filter(l -> l != null).map(l -> l.get(0)).findFirst().orElse(null);
    }

    private static List<String> leakedSince(Map<String, String> before, Map<String, String> after) {
        List<String> leaked = new ArrayList<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd))) {
                leaked.add(target.replace(" (deleted)", ""));
            }
        });
        leaked.sort(null);
        return leaked;
    }

    private static void verifyByName(Map<String, String> before, Map<String, String> after, long opensBefore) {
        List<String> leaked = leakedSince(before, after);
        if (leaked.isEmpty()) {
            return;
        }
        Map<String, List<String>> lines = FileOpens.lines(leaked, opensBefore);
        List<String> named = leaked.stream().map(f -> lines.containsKey(f) ? f + " (opened at " + String.join(" or ", lines.get(f)) + ")" : f).toList();
        String shown = String.join(", ", named.subList(0, Math.min(3, named.size())))
                + (named.size() > 3 ? " and " + (named.size() - 3) + " more" : "");
        String location = firstOpenSite(leaked, lines);
        throw new DetectedFailure(Reason.RESOURCE_LEAK,
                (leaked.size() == 1 ? "1 file handle" : leaked.size() + " file handles")
                        + " opened during this test " + (leaked.size() == 1 ? "is" : "are") + " still open: " + shown
                        + ". Close every file you open, on every path (try-with-resources).",
                location, List.of());
    }

    private static void verifyByCount(long more, List<FileOpens.Open> opens) {
        if (more <= 0) {
            return;
        }
        // Which of them leaked this system does not say; where the learner's code opened files, it can.
        List<String> lines = opens.stream().map(FileOpens.Open::line).distinct().toList();
        String where = lines.isEmpty() ? ""
                : " Your code opened files during this test at " + String.join(", ", lines.subList(0, Math.min(3, lines.size())))
                        + (lines.size() > 3 ? " and " + (lines.size() - 3) + " more lines" : "") + ".";
        throw new DetectedFailure(Reason.RESOURCE_LEAK,
                (more == 1 ? "1 file handle" : more + " file handles") + " opened during this test "
                        + (more == 1 ? "is" : "are") + " still open (this system does not say which files)." + where
                        + " Close every file you open, on every path (try-with-resources).",
                lines.isEmpty() ? null : lines.get(0), List.of());
    }
}
