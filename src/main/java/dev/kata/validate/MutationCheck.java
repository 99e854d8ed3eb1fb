package dev.kata.validate;

import dev.kata.TempFiles;
import dev.kata.catalog.Kata;
import dev.kata.grader.Grader;
import dev.kata.grader.Verdict;
import dev.kata.mutate.Mutant;
import dev.kata.mutate.MutantGenerator;
import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The generated-mutant half of {@code kata validate --mutate} for one kata: derives mutants from
 * the reference solution, writes each as a folder of learner files, and grades it like a learner's
 * fix, up to {@code repeat} times, until it passes once (a survivor) or its first failing test ends
 * each run (killed). A mutant that does not compile is dropped and counted.
 */
final class MutationCheck {
    /** What became of one mutant. */
    record Outcome(Mutant mutant, Kind kind, List<String> verdicts, String problem, long durationMs) {
    }

    enum Kind { KILLED, SURVIVED, NOT_COMPILED, EQUIVALENT, BROKEN }

    private final Kata kata;
    private final List<Mutant> mutants;
    private final int unprintable;
    private final List<String> parseProblems;
    private final Path root;

    private MutationCheck(Kata kata, List<Mutant> mutants, int unprintable, List<String> parseProblems, Path root) {
        this.kata = kata;
        this.mutants = mutants;
        this.unprintable = unprintable;
        this.parseProblems = parseProblems;
        this.root = root;
    }

    /** Generates {@code kata}'s mutants and writes each into a folder of its own under a new temporary folder. */
    static MutationCheck prepare(Kata kata) {
        MutantGenerator generator = new MutantGenerator();
        List<Mutant> mutants = new ArrayList<>();
        List<String> parseProblems = new ArrayList<>();
        int unprintable = 0;
        try {
            Path root = TempFiles.newFolder("kata-mutants-");
            for (Path file : kata.variantFiles(kata.solutionDir())) {
                String name = file.getFileName().toString();
                var generated = generator.generate(name, Files.readString(file));
                if (generated.parseError() != null) {
                    parseProblems.add("solution " + name + " cannot be mutated: " + generated.parseError());
                }
                mutants.addAll(generated.mutants());
                unprintable += generated.unprintable();
            }
            for (int i = 0; i < mutants.size(); i++) {
                Path dir = Files.createDirectory(root.resolve(String.valueOf(i)));
                for (Path file : kata.variantFiles(kata.solutionDir())) {
                    Files.copy(file, dir.resolve(file.getFileName().toString()));
                }
                Files.writeString(dir.resolve(mutants.get(i).file()), mutants.get(i).mutated());
            }
            return new MutationCheck(kata, List.copyOf(mutants), unprintable, parseProblems, root);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the mutants of " + kata.id() + ": " + e.getMessage(), e);
        }
    }

    List<Mutant> mutants() {
        return mutants;
    }

    /** Grades mutant {@code i}; a declared equivalent is not graded. */
    Outcome grade(Grader grader, int i, int repeat) {
        Mutant mutant = mutants.get(i);
        if (kata.equivalent().containsKey(mutant.id())) {
            return new Outcome(mutant, Kind.EQUIVALENT, List.of(), null, 0);
        }
        long start = System.nanoTime();
        List<String> verdicts = new ArrayList<>();
        for (int run = 0; run < repeat; run++) {
            Verdict verdict = grader.checkUntilFirstFailure(kata, root.resolve(String.valueOf(i)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (verdict.reason() == Reason.COMPILE_ERROR || verdict.reason() == Reason.API_MISMATCH) {
                return new Outcome(mutant, Kind.NOT_COMPILED, List.of(verdict.reason().id()), null, ms);
            }
            verdicts.add(verdict.passed() ? "pass" : verdict.reason().id());
            if (verdict.passed()) {
                return new Outcome(mutant, Kind.SURVIVED, verdicts, null, ms);
            }
            if (verdict.status() == dev.kata.grader.Status.INCONCLUSIVE) {
                verdicts.set(verdicts.size() - 1, "inconclusive");
                return new Outcome(mutant, Kind.BROKEN, verdicts, "generated mutant " + mutant.id()
                        + ": the check was inconclusive: " + verdict.summary(), ms);
            }
            if (verdict.reason() == Reason.CRASH) {
                return new Outcome(mutant, Kind.BROKEN, verdicts, "generated mutant " + mutant.id()
                        + ": the check itself broke down: " + verdict.summary(), ms);
            }
        }
        return new Outcome(mutant, Kind.KILLED, verdicts, null, (System.nanoTime() - start) / 1_000_000);
    }

    /** Sums up the outcomes (one per mutant, in order) and deletes the mutants' folders. */
    MutationReport report(List<Outcome> outcomes) {
        TempFiles.deleteQuietly(root);
        List<String> problems = new ArrayList<>(parseProblems);
        List<String> warnings = new ArrayList<>();
        if (unprintable > 0) {
            warnings.add(unprintable + " generated mutant(s) could not be printed and were left out");
        }
        Set<String> ids = new TreeSet<>();
        mutants.forEach(m -> ids.add(m.id()));
        for (Map.Entry<String, String> e : kata.equivalent().entrySet()) {
            if (!ids.contains(e.getKey())) {
                problems.add("kata.toml: equivalent." + e.getKey() + ": no operator makes this mutant "
                        + "(the solution changed? kata validate --mutate lists the ids)");
            }
        }
        int notCompiled = 0;
        int killed = 0;
        int equivalent = 0;
        long ms = 0;
        List<MutationReport.Survivor> survivors = new ArrayList<>();
        for (Outcome o : outcomes) {
            ms += o.durationMs();
            switch (o.kind()) {
                case KILLED -> killed++;
                case NOT_COMPILED -> notCompiled++;
                case EQUIVALENT -> equivalent++;
                case SURVIVED -> survivors.add(new MutationReport.Survivor(o.mutant(), o.verdicts()));
                case BROKEN -> problems.add(o.problem());
            }
        }
        return new MutationReport(mutants.size(), notCompiled, killed, equivalent, survivors, problems, warnings, ms);
    }
}
