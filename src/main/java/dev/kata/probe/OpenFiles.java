package dev.kata.probe;

import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Files a test opened and never closed, seen through {@code /proc/self/fd} (Linux only; elsewhere
 * the check is skipped). Only regular files count: the JVM's own jars, libraries and archives,
 * pipes and sockets are its business.
 */
final class OpenFiles {
    private static final Path FD = Path.of("/proc/self/fd");
    private static final String JAVA_HOME = System.getProperty("java.home");

    private OpenFiles() {
    }

    static boolean supported() {
        return Files.isDirectory(FD);
    }

    /** Open file descriptor number to the file it refers to. */
    static Map<String, String> snapshot() {
        Map<String, String> open = new HashMap<>();
        if (!supported()) {
            return open;
        }
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

    private static boolean counts(String target) {
        return target.startsWith("/") && !target.startsWith("/proc/") && !target.startsWith("/dev/")
                && !target.startsWith(JAVA_HOME) && !target.endsWith(".jar") && !target.endsWith(".jsa")
                && !target.endsWith(".so") && !target.contains(".so.") && !target.endsWith(".jsonl")
                && !target.endsWith(".class");
    }

    /** Fails the test for files opened since {@code before} that are still open. */
    static void verify(Map<String, String> before) {
        Map<String, String> after = snapshot();
        List<String> leaked = new ArrayList<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd))) {
                leaked.add(target.replace(" (deleted)", ""));
            }
        });
        if (leaked.isEmpty()) {
            return;
        }
        leaked.sort(null);
        String shown = String.join(", ", leaked.subList(0, Math.min(3, leaked.size())))
                + (leaked.size() > 3 ? " and " + (leaked.size() - 3) + " more" : "");
        throw new DetectedFailure(Reason.RESOURCE_LEAK,
                (leaked.size() == 1 ? "1 file handle" : leaked.size() + " file handles")
                        + " opened during this test " + (leaked.size() == 1 ? "is" : "are") + " still open: " + shown
                        + ". Close every file you open, on every path (try-with-resources).",
                null, List.of());
    }
}
