package dev.kata.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The prose of a kata: its story, its hints (in levels) and the notes on its solution. */
public record KataTexts(String story, List<String> hints, String solutionNotes) {
    public KataTexts {
        hints = List.copyOf(hints);
    }

    public static KataTexts read(Kata kata) {
        return new KataTexts(
                readText(kata.storyFile()),
                splitHints(readText(kata.hintsFile())),
                readText(kata.solutionNotesFile()));
    }

    /** Splits hints.md on lines holding only {@code ---}; blank levels are dropped. */
    public static List<String> splitHints(String markdown) {
        List<String> levels = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : markdown.split("\\R", -1)) {
            if (line.strip().equals("---")) {
                addLevel(levels, current);
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        addLevel(levels, current);
        return levels;
    }

    private static void addLevel(List<String> levels, StringBuilder text) {
        String level = text.toString().strip();
        if (!level.isEmpty()) {
            levels.add(level);
        }
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CatalogException(file + ": cannot be read: " + e.getMessage());
        }
    }
}
