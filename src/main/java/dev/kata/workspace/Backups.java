package dev.kata.workspace;

import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The backups {@link Resetter} made of a kata's files, under {@code .kata/backups/<id>/<stamp>[-n]/}. */
public final class Backups {
    /** The name of one backup folder: a timestamp, and a count when several were made in the same second. */
    public static final Pattern NAME = Pattern.compile("(\\d{8}-\\d{6})(?:-(\\d+))?");

    /** One backup: its folder's name, the folder, and the files it holds. */
    public record Backup(String name, Path dir, List<Path> files) {
    }

    private Backups() {
    }

    /** The kata's backups, oldest first. */
    public static List<Backup> of(Kata kata, Workspace workspace) {
        Path parent = workspace.backupsDir().resolve(kata.id());
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        List<Backup> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(parent)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                if (NAME.matcher(dir.getFileName().toString()).matches()) {
                    try (Stream<Path> files = Files.list(dir)) {
                        out.add(new Backup(dir.getFileName().toString(), dir,
                                files.filter(Files::isRegularFile).sorted().toList()));
                    }
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing((Backup b) -> stamp(b.name())).thenComparingInt(b -> count(b.name())));
        return out;
    }

    /**
     * The backup named {@code name} (a folder name, or its path); when name is empty, the latest
     * that differs from the learner's files as they are (so a second restore goes one further back).
     */
    public static Optional<Backup> find(Kata kata, Workspace workspace, String name) {
        List<Backup> all = of(kata, workspace);
        if (name == null || name.isBlank()) {
            for (int i = all.size() - 1; i >= 0; i--) {
                if (!inPlace(kata, workspace, all.get(i))) {
                    return Optional.of(all.get(i));
                }
            }
            return Optional.empty();
        }
        String wanted = Path.of(name.strip()).getFileName().toString();
        return all.stream().filter(b -> b.name().equals(wanted)).findFirst();
    }

    /** Whether the learner's files are already what restoring {@code backup} would make them. */
    public static boolean inPlace(Kata kata, Workspace workspace, Backup backup) {
        try {
            for (String name : kata.files()) {
                Path own = backup.dir().resolve(name);
                Path wanted = Files.isRegularFile(own) ? own : kata.starterDir().resolve(name);
                Path file = workspace.learnerFile(kata, name);
                if (!Files.isRegularFile(file) || Files.mismatch(file, wanted) != -1) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String stamp(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? m.group(1) : name;
    }

    private static int count(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : 1;
    }
}
