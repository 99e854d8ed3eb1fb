package dev.kata.validate;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.grader.Grader;
import dev.kata.grader.GraderSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every built-in kata teaches, on every run: its starter fails for its pitfall, its solution
 * passes, each of its mutants fails ({@code kata.repeat} times each, once in the build), its
 * contract's clauses name tests that exist. And, with {@code -Dkata.mutate.repeat=N} (1 in the
 * build: see pom.xml), its hidden tests kill every mutant generated from its solution that
 * kata.toml does not declare equivalent, N times each. That is {@code kata validate --mutate}, in
 * one pass.
 *
 * <p>An integration test, run after the package phase: against the built jar, so that its test
 * JVMs start from the start-up archive, as a learner's checks do (a class path with a classes
 * folder cannot have one). Some 400 test JVMs start here; the archive takes a tenth or more off them.
 */
class BuiltInKatasIT {
    private static final int REPEAT = Integer.getInteger("kata.repeat", 3);
    private static final int MUTANT_REPEAT = Integer.getInteger("kata.mutate.repeat", 0);
    private static List<KataValidation> results;

    @BeforeAll
    static void validateTheWholePack() throws InterruptedException {
        Catalog catalog = new CatalogLoader().load(Path.of("katas").toAbsolutePath());
        Grader grader = new Grader(GraderSettings.defaults(Path.of("target", "kata-cache").toAbsolutePath()).failFast());
        grader.trainArchive(catalog.katas()); // as `kata validate` does
        int parallelism = 2 * Runtime.getRuntime().availableProcessors(); // as `kata validate` does
        results = new Validator(grader, parallelism).validate(catalog.katas(), REPEAT, MUTANT_REPEAT, k -> { });
    }

    @TestFactory
    Stream<DynamicTest> eachKataTeaches() {
        return results.stream().map(k -> DynamicTest.dynamicTest(k.kataId(), () -> assertTrue(
                k.kataProblems().isEmpty() && k.variants().stream().allMatch(VariantResult::ok), () -> describe(k))));
    }

    /**
     * No generated mutant survives unless kata.toml declares it equivalent or it is on the list of
     * known survivors ({@code known-survivors.txt}: wrong fixes the hidden tests do not yet catch,
     * each with why). The list only shrinks: an unlisted survivor fails the build. A listed mutant
     * killed on some runs is not an error (a race caught by luck stays listed until a scenario
     * catches it every time). {@code kata validate --mutate} knows no such list: it reports them all.
     */
    @TestFactory
    Stream<DynamicTest> eachKataKillsItsGeneratedMutants() throws IOException {
        Map<String, Set<String>> known = KnownSurvivors.read();
        return results.stream().map(k -> DynamicTest.dynamicTest(k.kataId(), () -> {
            assumeTrue(MUTANT_REPEAT > 0, "generated mutants are graded with -Dkata.mutate.repeat=1 or more");
            MutationReport m = k.mutation();
            Set<String> listed = known.getOrDefault(k.kataId(), Set.of());
            List<MutationReport.Survivor> unlisted = m.survivors().stream()
                    .filter(s -> !listed.contains(s.mutant().id())).toList();
            assertTrue(m.problems().isEmpty() && unlisted.isEmpty(), () -> describeMutation(k, unlisted));
        }));
    }

    private static String describe(KataValidation k) {
        StringBuilder s = new StringBuilder(k.kataId()).append(" is not valid:");
        k.kataProblems().forEach(p -> s.append("\n  ").append(p));
        for (VariantResult v : k.variants()) {
            if (!v.ok()) {
                s.append("\n  ").append(v.variant().label()).append(" (verdicts: ").append(v.reasons()).append(')');
                v.problems().forEach(p -> s.append("\n    ").append(p));
            }
        }
        return s.toString();
    }

    private static String describeMutation(KataValidation k, List<MutationReport.Survivor> survivors) {
        MutationReport m = k.mutation();
        StringBuilder s = new StringBuilder(k.kataId()).append(": ")
                .append(dev.kata.render.ValidationText.mutationSummary(m));
        m.problems().forEach(p -> s.append("\n  ").append(p));
        for (MutationReport.Survivor survivor : survivors) {
            s.append("\n  survivor ").append(survivor.mutant().id())
                    .append(" (kill it with a test, or declare it in kata.toml's [equivalent] with the reason)\n")
                    .append(survivor.mutant().diff().indent(4));
        }
        return s.toString();
    }
}
