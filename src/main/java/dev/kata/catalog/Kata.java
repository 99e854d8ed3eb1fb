package dev.kata.catalog;

import dev.kata.probe.api.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One kata as loaded from its folder ({@code katas/<id>/}); see docs/kata-format.md.
 *
 * @param id           folder name, e.g. {@code leak-alert}
 * @param dir          the kata's folder
 * @param title        one-line title
 * @param track        id of the track it belongs to
 * @param pitfall      the reason the starter must fail with
 * @param summary      one sentence for listings
 * @param javaPackage  the package its starter files declare, e.g. {@code leakalert}
 * @param files        the file names the learner edits (as in {@code starter/})
 * @param mutants      name of each wrong fix in {@code mutants/} and why it is wrong
 * @param testTimeout  limit for one hidden test
 * @param checkTimeout limit for the whole check
 * @param jvmArgs      extra flags for the test JVM
 */
public record Kata(
        String id,
        Path dir,
        String title,
        String track,
        Reason pitfall,
        String summary,
        String javaPackage,
        List<String> files,
        Map<String, String> mutants,
        Duration testTimeout,
        Duration checkTimeout,
        List<String> jvmArgs) {

    public Path starterDir() {
        return dir.resolve("starter");
    }

    public Path solutionDir() {
        return dir.resolve("solution");
    }

    public Path mutantDir(String name) {
        return dir.resolve("mutants").resolve(name);
    }

    public Path testsDir() {
        return dir.resolve("tests");
    }

    public Path storyFile() {
        return dir.resolve("story.md");
    }

    public Path hintsFile() {
        return dir.resolve("hints.md");
    }

    public Path solutionNotesFile() {
        return dir.resolve("solution.md");
    }
}
