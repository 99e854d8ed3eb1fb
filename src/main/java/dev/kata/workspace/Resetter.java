package dev.kata.workspace;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Puts a kata's starter files back. The learner's files that differ from the starter are first
 * copied to {@code .kata/backups/<id>/<timestamp>/}; only then is anything replaced. The support
 * files' copies are put back as the kata has them (they are never graded, so never backed up).
 */
public final class Resetter {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Clock clock;

    public Resetter(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param backup   the folder holding the backed-up files, or null if nothing needed saving
     * @param restored the learner files now equal to the starter
     */
    public record Result(Path backup, List<Path> backedUp, List<Path> restored) {
    }

    public Result reset(Kata kata, Workspace workspace) {
        try {
            List<Path> changed = new ArrayList<>();
            for (String name : kata.files()) {
                Path file = workspace.learnerFile(kata, name);
                if (Files.exists(file) && !sameContent(file, kata.starterDir().resolve(name))) {
                    changed.add(file);
                }
            }
            return replaceFiles(kata, workspace, changed, name -> kata.starterDir().resolve(name));
        } catch (IOException e) {
            throw new KataException("could not reset " + kata.id() + ": " + e.getMessage()
                    + " (your files are unchanged or backed up in " + workspace.backupsDir() + ")", e);
        }
    }

    /**
     * Puts the kata's files back as {@code backup} holds them (its files as they were, the others
     * as the starter has them, which is what they were when it was made). The learner's files
     * that would be lost (not the starter's, not in a backup already) are backed up first, so a
     * restore can be undone too.
     */
    public Result restore(Kata kata, Workspace workspace, Backups.Backup backup) {
        try {
            List<Path> changed = new ArrayList<>();
            for (String name : kata.files()) {
                Path file = workspace.learnerFile(kata, name);
                if (Files.exists(file) && !sameContent(file, restoredFrom(kata, backup, name))
                        && !sameContent(file, kata.starterDir().resolve(name)) && !keptIn(Backups.of(kata, workspace), file)) {
                    changed.add(file);
                }
            }
            return replaceFiles(kata, workspace, changed, name -> restoredFrom(kata, backup, name));
        } catch (IOException e) {
            throw new KataException("could not restore " + kata.id() + " from " + backup.dir() + ": " + e.getMessage()
                    + " (your files are unchanged or backed up in " + workspace.backupsDir() + ")", e);
        }
    }

    /** Backs up {@code changed} (if any) into a new backup, then puts each learner file back from {@code source}. */
    private Result replaceFiles(Kata kata, Workspace workspace, List<Path> changed, Function<String, Path> source)
            throws IOException {
        Path backup = null;
        List<Path> backedUp = new ArrayList<>();
        if (!changed.isEmpty()) {
            backup = newBackupDir(workspace.backupsDir().resolve(kata.id()));
            for (Path file : changed) {
                Path copy = backup.resolve(file.getFileName().toString());
                Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                backedUp.add(copy);
            }
        }
        Files.createDirectories(workspace.sourceDir(kata));
        List<Path> restored = new ArrayList<>();
        for (String name : kata.files()) {
            Path file = workspace.learnerFile(kata, name);
            replace(source.apply(name), file);
            restored.add(file);
        }
        for (String name : kata.support()) {
            SupportCopy.refresh(kata.supportDir().resolve(name), workspace.learnerFile(kata, name));
        }
        return new Result(backup, backedUp, restored);
    }

    private static boolean keptIn(List<Backups.Backup> backups, Path file) throws IOException {
        for (Backups.Backup kept : backups) {
            Path copy = kept.dir().resolve(file.getFileName().toString());
            if (Files.isRegularFile(copy) && sameContent(file, copy)) {
                return true;
            }
        }
        return false;
    }

    private static Path restoredFrom(Kata kata, Backups.Backup backup, String name) {
        Path own = backup.dir().resolve(name);
        return Files.isRegularFile(own) ? own : kata.starterDir().resolve(name);
    }

    private Path newBackupDir(Path parent) throws IOException {
        Files.createDirectories(parent);
        String stamp = STAMP.withZone(clock.getZone()).format(clock.instant());
        for (int n = 1; ; n++) {
            Path dir = parent.resolve(n == 1 ? stamp : stamp + "-" + n);
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // two resets in the same second: take the next name
            }
        }
    }

    /** Copies via a temporary file and a rename, so the learner's file is never half-written. */
    private static void replace(Path source, Path target) throws IOException {
        AtomicFiles.copy(source, target, false);
    }

    private static boolean sameContent(Path a, Path b) throws IOException {
        return Files.size(a) == Files.size(b) && Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b));
    }
}
