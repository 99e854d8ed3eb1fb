package dev.kata.grader;

import dev.kata.catalog.Kata;
import java.nio.file.Path;

/**
 * Grades one set of learner sources against a kata's hidden tests: compiles them in-process,
 * runs the tests in a forked JVM under the probe, and turns what happened into a {@link Verdict}.
 * Never writes into {@code sourceDir}.
 */
public final class Grader {
    private final GraderSettings settings;

    public Grader(GraderSettings settings) {
        this.settings = settings;
    }

    /**
     * Checks the {@code .java} files in {@code sourceDir} (the learner's package folder, or a
     * kata's starter/solution/mutant folder) against {@code kata}'s hidden tests.
     */
    public Verdict check(Kata kata, Path sourceDir, CheckListener listener) {
        throw new UnsupportedOperationException("not yet");
    }

    public GraderSettings settings() {
        return settings;
    }
}
