package dev.kata.catalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects what is wrong with a pack, each problem naming the file (as seen from the pack's parent) and field. */
final class Problems {
    private final Path base;
    private final List<String> found = new ArrayList<>();

    Problems(Path packDir) {
        Path parent = packDir.toAbsolutePath().normalize().getParent();
        this.base = parent == null ? packDir.toAbsolutePath().normalize() : parent;
    }

    /** The file as an error shows it, e.g. {@code katas/leak-alert/kata.toml}. */
    String name(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        String shown = absolute.startsWith(base) ? base.relativize(absolute).toString() : absolute.toString();
        return shown.replace('\\', '/');
    }

    void add(Path file, String message) {
        found.add(name(file) + ": " + message);
    }

    void add(Path file, String field, String message) {
        found.add(name(file) + ": " + field + ": " + message);
    }

    boolean any() {
        return !found.isEmpty();
    }

    int count() {
        return found.size();
    }

    CatalogException exception() {
        return new CatalogException(found);
    }
}
