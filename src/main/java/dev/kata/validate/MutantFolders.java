package dev.kata.validate;

import dev.kata.TempFiles;
import dev.kata.catalog.Kata;
import dev.kata.catalog.MutantPatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The hand-written mutants of the katas being validated, each written out whole into a folder of
 * its own (a patch applied to the solution, or a folder's files with the starter's for the rest),
 * so that each is graded like a learner's folder. Closing deletes them.
 */
final class MutantFolders implements AutoCloseable {
    private final Path root;

    private MutantFolders(Path root) {
        this.root = root;
    }

    static MutantFolders create() {
        try {
            return new MutantFolders(TempFiles.newFolder("kata-variants-"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not make a folder for the mutants: " + e.getMessage(), e);
        }
    }

    /** Writes mutant {@code name} of {@code kata} and returns its folder. */
    Path write(Kata kata, String name) {
        try {
            Path dir = Files.createDirectories(root.resolve(kata.id()).resolve(name));
            for (Map.Entry<String, String> file : kata.mutantSources(name).entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write mutant " + name + " of " + kata.id() + ": "
                    + e.getMessage(), e);
        } catch (MutantPatch.InvalidPatchException e) {
            throw new UnusableMutantException("mutants/" + name + MutantPatch.SUFFIX + ": " + e.getMessage());
        }
    }

    /**
     * A patch that cannot make its mutant (it no longer applies to the solution, say). Found when
     * validating, not when loading the pack: applying every patch would slow down every command.
     */
    static final class UnusableMutantException extends RuntimeException {
        UnusableMutantException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        TempFiles.deleteQuietly(root);
    }
}
