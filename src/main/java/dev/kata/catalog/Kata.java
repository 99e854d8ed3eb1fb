package dev.kata.catalog;

import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
 * @param mutants      name of each wrong fix in {@code mutants/} (a folder or a {@code .patch}) and why it is wrong
 * @param testTimeout  limit for one hidden test
 * @param checkTimeout limit for the whole check
 * @param jvmArgs      extra flags for the test JVM
 * @param support      the files the learner does not edit (as in {@code support/}), compiled with every check
 * @param equivalent   generated mutants (by id) that cannot change behaviour, and why
 * @param contract     the clauses of the task and the tests that hold them ({@code contract.toml}), or null
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
        List<String> jvmArgs,
        List<String> support,
        Map<String, String> equivalent,
        Contract contract) {

    /** A kata with no support files, no declared equivalents and no contract. */
    public Kata(String id, Path dir, String title, String track, Reason pitfall, String summary, String javaPackage,
                List<String> files, Map<String, String> mutants, Duration testTimeout, Duration checkTimeout,
                List<String> jvmArgs) {
        this(id, dir, title, track, pitfall, summary, javaPackage, files, mutants, testTimeout, checkTimeout, jvmArgs,
                List.of(), Map.of(), null);
    }

    public Path starterDir() {
        return dir.resolve("starter");
    }

    public Path solutionDir() {
        return dir.resolve("solution");
    }

    public Path mutantDir(String name) {
        return dir.resolve("mutants").resolve(name);
    }

    /** Mutant {@code name} as a unified diff against the solution, if it is written so. */
    public Path mutantPatch(String name) {
        return dir.resolve("mutants").resolve(name + MutantPatch.SUFFIX);
    }

    /**
     * The learner's files of mutant {@code name}, each file's name and text: the solution with the
     * mutant's patch applied, or the files of its folder (else the starter's).
     */
    public Map<String, String> mutantSources(String name) throws IOException, MutantPatch.InvalidPatchException {
        Map<String, String> out = new LinkedHashMap<>();
        if (Files.isRegularFile(mutantPatch(name))) {
            for (String file : files) {
                out.put(file, Files.readString(solutionFile(file)));
            }
            return MutantPatch.apply(Files.readString(mutantPatch(name)), out);
        }
        for (Path file : variantFiles(mutantDir(name))) {
            out.put(file.getFileName().toString(), Files.readString(file));
        }
        return out;
    }

    public Path supportDir() {
        return dir.resolve("support");
    }

    public Path contractFile() {
        return dir.resolve("contract.toml");
    }

    /**
     * The learner's files of a variant of this kata ({@code solution/} or {@code mutants/<name>/}):
     * the variant's own copy of each file where it has one, else the starter's.
     */
    public List<Path> variantFiles(Path variantDir) {
        return files.stream().map(name -> {
            Path own = variantDir.resolve(name);
            return Files.isRegularFile(own) ? own : starterDir().resolve(name);
        }).toList();
    }

    /** The learner's files the reference solution changes (those {@code solution/} holds), in order. */
    public List<String> solutionChanges() {
        return files.stream().filter(name -> Files.isRegularFile(solutionDir().resolve(name))).toList();
    }

    /** The file {@code name} of the reference solution: its own copy, else the starter's. */
    public Path solutionFile(String name) {
        Path own = solutionDir().resolve(name);
        return Files.isRegularFile(own) ? own : starterDir().resolve(name);
    }

    /**
     * What one check of the sources in {@code dir} compiles. A folder of this kata (its starter,
     * solution or a mutant) gives {@link #variantFiles}; any other folder (the learner's) gives its
     * {@code .java} files but for copies of support files, which are never the learner's to change.
     * Either way the kata's own support files are added.
     */
    public List<Path> sourcesToCompile(Path dir) throws IOException {
        Path folder = dir.toAbsolutePath().normalize();
        List<Path> out = new ArrayList<>();
        if (folder.startsWith(this.dir.toAbsolutePath().normalize())) {
            out.addAll(variantFiles(folder));
        } else if (Files.isDirectory(folder)) {
            try (Stream<Path> entries = Files.list(folder)) {
                entries.filter(p -> p.getFileName().toString().endsWith(".java") && Files.isRegularFile(p))
                        .filter(p -> !support.contains(p.getFileName().toString()))
                        .sorted()
                        .forEach(out::add);
            }
        }
        if (out.isEmpty()) {
            return out;
        }
        support.forEach(name -> out.add(supportDir().resolve(name)));
        return out;
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
