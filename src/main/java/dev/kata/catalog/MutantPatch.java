package dev.kata.catalog;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.PatchFailedException;
import com.github.difflib.unifieddiff.UnifiedDiff;
import com.github.difflib.unifieddiff.UnifiedDiffFile;
import com.github.difflib.unifieddiff.UnifiedDiffReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mutant written as a unified diff against the reference solution ({@code mutants/<name>.patch},
 * as {@code diff -u} or {@code git diff} print it), so that it holds only the lines it changes.
 * Each file of the diff is found by its name: the last part of its path.
 */
public final class MutantPatch {
    /** What a mutant's file name ends with when it is a patch. */
    public static final String SUFFIX = ".patch";

    private MutantPatch() {
    }

    /** Why a patch cannot make a mutant: said in a few words, for {@code kata validate} to print. */
    public static final class InvalidPatchException extends Exception {
        InvalidPatchException(String message) {
            super(message);
        }
    }

    /**
     * The learner's files after applying {@code patch} to {@code solution} (each learner file's name
     * and text in the reference solution). Files the patch does not name stay the solution's.
     */
    public static Map<String, String> apply(String patch, Map<String, String> solution) throws InvalidPatchException {
        UnifiedDiff diff;
        try {
            diff = UnifiedDiffReader.parseUnifiedDiff(new ByteArrayInputStream(patch.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            throw new InvalidPatchException("is not a unified diff (" + e.getMessage() + ")");
        }
        if (diff.getFiles().isEmpty()) {
            throw new InvalidPatchException("is not a unified diff (no ---/+++ file headers)");
        }
        Map<String, String> out = new LinkedHashMap<>(solution);
        for (UnifiedDiffFile file : diff.getFiles()) {
            String name = fileName(file);
            if (!solution.containsKey(name)) {
                throw new InvalidPatchException("changes " + name + ", which is not one of the learner's files "
                        + solution.keySet());
            }
            try {
                List<String> patched = file.getPatch().applyTo(solution.get(name).lines().toList());
                out.put(name, String.join("\n", patched) + "\n");
            } catch (PatchFailedException | RuntimeException e) {
                throw new InvalidPatchException("does not apply to the solution's " + name
                        + " (its lines have changed since the patch was made: make it again with diff -u)");
            }
        }
        if (out.equals(solution)) {
            throw new InvalidPatchException("changes nothing in the solution");
        }
        return out;
    }

    /**
     * The patch that turns {@code solution} (the text of the solution's {@code file}) into
     * {@code mutant}, headed {@code solution/<file>} and {@code <folder>/<file>}, with three lines
     * of context: what {@code diff -u} prints.
     */
    public static String between(String file, String folder, String solution, String mutant) {
        List<String> before = solution.lines().toList();
        List<String> after = mutant.lines().toList();
        List<String> lines = UnifiedDiffUtils.generateUnifiedDiff("solution/" + file, folder + "/" + file, before,
                DiffUtils.diff(before, after), 3);
        return String.join("\n", lines) + "\n";
    }

    private static String fileName(UnifiedDiffFile file) {
        String path = file.getToFile() != null && !file.getToFile().equals("/dev/null") ? file.getToFile()
                : file.getFromFile();
        path = path == null ? "" : path.strip();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
