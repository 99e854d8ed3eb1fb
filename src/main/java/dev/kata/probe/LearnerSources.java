package dev.kata.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The learner's source files, by file name, read only when a report needs one of their lines. */
final class LearnerSources {
    static final LearnerSources NONE = new LearnerSources(List.of());

    private final Map<String, Path> files = new HashMap<>();
    private final Map<String, List<String>> read = new HashMap<>();

    LearnerSources(List<Path> sources) {
        for (Path p : sources) {
            files.put(p.getFileName().toString(), p);
        }
    }

    /** The text of {@code File.java:line}, or null if it is not one of the learner's lines. */
    synchronized String line(String location) {
        int colon = location == null ? -1 : location.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        Path file = files.get(location.substring(0, colon));
        if (file == null) {
            return null;
        }
        List<String> lines = read.computeIfAbsent(file.getFileName().toString(), name -> {
            try {
                return Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        });
        try {
            int n = Integer.parseInt(location.substring(colon + 1));
            return n >= 1 && n <= lines.size() ? lines.get(n - 1) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
