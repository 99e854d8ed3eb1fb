package dev.kata.render;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The solution view, as the CLI and the session show it: first why the reference works (its
 * {@code solution.md}), then, for each file the reference changes, a unified diff of the learner's
 * file against it ({@code -} yours, {@code +} the reference). A learner file that is gone is shown
 * as the reference in full.
 */
public final class SolutionText {
    private static final int CONTEXT = 2;

    private final Style style;
    /** The width the notes are wrapped to, or 0 to leave that to the caller (the session's pane). */
    private final int width;

    public SolutionText(Style style) {
        this(style, 0);
    }

    public SolutionText(Style style, int width) {
        this.style = style;
        this.width = width;
    }

    /**
     * @param learnerFile where the learner's copy of each of the kata's files is
     * @param prepare     what to do to solution.md before it is rendered (the session reflows it)
     */
    public List<String> lines(Kata kata, Function<String, Path> learnerFile, UnaryOperator<String> prepare) {
        List<String> notes = new StoryText(style).render(prepare.apply(KataTexts.read(kata).solutionNotes()))
                .stripTrailing().lines().toList();
        List<String> out = new ArrayList<>(width > 0 ? Reflow.wrap(notes, width) : notes);
        for (String name : kata.solutionChanges()) {
            out.add("");
            out.addAll(fileLines(name, learnerFile.apply(name), kata.solutionFile(name)));
        }
        return out;
    }

    /** The reference files whole (for {@code kata solution --full}). */
    public List<String> fullLines(Kata kata) {
        List<String> out = new ArrayList<>();
        for (String name : kata.solutionChanges()) {
            out.add(style.heading("── " + name + " (reference solution) ──"));
            out.addAll(read(kata.solutionFile(name)));
            out.add("");
        }
        return out;
    }

    private List<String> fileLines(String name, Path mine, Path reference) {
        List<String> out = new ArrayList<>();
        List<String> theirs = read(reference);
        if (!Files.isRegularFile(mine)) {
            out.add(style.heading("── " + name + ": the reference solution (your file is gone) ──"));
            out.addAll(theirs);
            return out;
        }
        List<String> yours = read(mine);
        Patch<String> patch = DiffUtils.diff(yours, theirs);
        if (patch.getDeltas().isEmpty()) {
            out.add(style.heading("── " + name + ": your file is the reference solution, line for line ──"));
            return out;
        }
        out.add(style.heading("── " + name + ": your file (-) against the reference (+) ──"));
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff("yours/" + name, "reference/" + name, yours, patch, CONTEXT);
        for (String line : diff.subList(2, diff.size())) { // the ---/+++ header says what the heading says
            out.add(colour(line));
        }
        return out;
    }

    private String colour(String line) {
        if (line.startsWith("@@")) {
            return style.cyan(line);
        }
        if (line.startsWith("-")) {
            return style.red(line);
        }
        if (line.startsWith("+")) {
            return style.green(line);
        }
        return line;
    }

    private List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (MalformedInputException e) {
            return List.of(style.red("(" + file.getFileName() + " is not UTF-8 text)"));
        } catch (IOException e) {
            return List.of(style.red("(" + file.getFileName() + " cannot be read: " + e.getMessage() + ")"));
        }
    }
}
