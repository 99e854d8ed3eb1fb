package dev.kata.render;

import java.nio.file.Path;

/** Shows a path relative to the current folder when it is inside it (short, and clickable in most terminals), else absolute. */
public record PathDisplay(Path cwd) {
    public PathDisplay {
        cwd = cwd.toAbsolutePath().normalize();
    }

    public String show(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (absolute.startsWith(cwd) && !absolute.equals(cwd)) {
            return cwd.relativize(absolute).toString();
        }
        return absolute.toString();
    }
}
