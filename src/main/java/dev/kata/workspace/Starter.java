package dev.kata.workspace;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a kata's starter files into the workspace. A file already there is the learner's and is
 * never replaced. The kata's support files are put beside them, read-only, and refreshed when the
 * kata's copy changed: they are there to read, and the grader compiles the kata's own copy.
 */
public final class Starter {

    /** The files copied now, and those already there (left as they are). */
    public record Result(List<Path> copied, List<Path> kept) {
        public boolean firstStart() {
            return kept.isEmpty();
        }
    }

    public Result start(Kata kata, Workspace workspace) {
        List<Path> copied = new ArrayList<>();
        List<Path> kept = new ArrayList<>();
        Path target = workspace.sourceDir(kata);
        try {
            Files.createDirectories(target);
            for (String name : kata.files()) {
                Path file = target.resolve(name);
                try {
                    // No REPLACE_EXISTING: the copy fails, rather than overwrites, if the file appeared meanwhile.
                    Files.copy(kata.starterDir().resolve(name), file);
                    copied.add(file);
                } catch (FileAlreadyExistsException e) {
                    kept.add(file);
                }
            }
            for (String name : kata.support()) {
                SupportCopy.refresh(kata.supportDir().resolve(name), target.resolve(name));
            }
        } catch (IOException e) {
            throw new KataException("could not copy the starter of " + kata.id() + " to " + target + ": " + e.getMessage(), e);
        }
        return new Result(copied, kept);
    }
}
