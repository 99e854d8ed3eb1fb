package dev.kata.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What a pack folder holds besides what its manifest says: kata folders, listed or not. */
public final class PackFiles {
    private PackFiles() {
    }

    /** The names of the folders directly in {@code dir} that hold a {@code kata.toml}, sorted. */
    public static List<String> kataFolders(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isRegularFile(p.resolve("kata.toml")))
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Kata folders of the pack that no track lists: a kata an author made but forgot to add to
     * {@code pack.toml}. One line each, naming the folder as the loader's problems do.
     */
    public static List<String> unlisted(Catalog catalog) {
        Set<String> listed = catalog.katas().stream()
                .filter(k -> k.dir().startsWith(catalog.dir()))
                .map(Kata::id)
                .collect(Collectors.toSet());
        Problems problems = new Problems(catalog.dir());
        List<String> found = new ArrayList<>();
        for (String folder : kataFolders(catalog.dir())) {
            if (!listed.contains(folder)) {
                found.add(problems.name(catalog.dir().resolve(folder)) + "/: has a kata.toml, but no track of "
                        + problems.name(catalog.dir().resolve("pack.toml")) + " lists it (add \"" + folder
                        + "\" to a track's katas)");
            }
        }
        return found;
    }

    /**
     * For a folder without {@code pack.toml}: where a pack is below it (say, the root of a team's
     * repository whose pack is in a sub-folder), as a hint to append to the error; else "".
     */
    static String nestedPackHint(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "; " + dir + " does not exist";
        }
        try (Stream<Path> files = Files.walk(dir, 3)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().equals("pack.toml"))
                    .filter(p -> !p.toString().contains("/.git/"))
                    .sorted()
                    .limit(3)
                    .toList();
            if (found.isEmpty()) {
                return "";
            }
            return "; a pack is in " + found.stream().map(p -> p.getParent().toString())
                    .collect(Collectors.joining(", ")) + ": use that folder";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
