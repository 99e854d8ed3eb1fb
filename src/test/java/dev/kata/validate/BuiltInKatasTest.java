package dev.kata.validate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.grader.Grader;
import dev.kata.grader.GraderSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every built-in kata teaches, on every run: its starter fails for its pitfall, its solution
 * passes, each of its mutants fails. Each is graded {@code kata.repeat} times (3 in the build).
 */
class BuiltInKatasTest {
    private static final int REPEAT = Integer.getInteger("kata.repeat", 3);
    private static List<KataValidation> results;

    @BeforeAll
    static void validateTheWholePack() throws InterruptedException {
        Catalog catalog = new CatalogLoader().load(Path.of("katas").toAbsolutePath());
        Grader grader = new Grader(GraderSettings.defaults(Path.of("target", "kata-cache").toAbsolutePath()).failFast());
        int parallelism = 2 * Runtime.getRuntime().availableProcessors(); // as `kata validate` does
        results = new Validator(grader, parallelism).validate(catalog.katas(), REPEAT, k -> { });
    }

    @TestFactory
    Stream<DynamicTest> eachKataTeaches() {
        return results.stream().map(k -> DynamicTest.dynamicTest(k.kataId(), () -> assertTrue(k.ok(), () -> describe(k))));
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
}
