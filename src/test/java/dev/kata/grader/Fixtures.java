package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kata.catalog.Kata;
import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The grader's test fixtures under src/test/resources/fixtures. */
final class Fixtures {
    static final Path ROOT = Path.of("src/test/resources/fixtures").toAbsolutePath();

    private Fixtures() {
    }

    /** A kata whose hidden test calls {@code hostile.Target.answer()} twice and expects 42. */
    static Kata hostileKata() {
        return hostileKata(Duration.ofMillis(2000), Duration.ofSeconds(30));
    }

    /** The same kata with other limits: per test, and for the whole check. */
    static Kata hostileKata(Duration testTimeout, Duration checkTimeout) {
        return new Kata("hostile", ROOT.resolve("hostile"), "Hostile inputs", "fixtures", Reason.TEST_FAILURE, "",
                "hostile", List.of("Target.java"), Map.of(), testTimeout, checkTimeout, List.of());
    }

    static Path variant(String name) {
        return ROOT.resolve("variants").resolve(name);
    }

    static Grader grader() {
        return new Grader(GraderSettings.defaults(Path.of(System.getProperty("java.io.tmpdir"), "kata-test-cache")));
    }

    /** The hostile kata compiled cleanly: no errors, its API intact, Target its one learner class. */
    static void assertCompiledClean(CompileOutcome o) {
        assertEquals(List.of(), o.learnerErrors(), o::toString);
        assertEquals(List.of(), o.apiProblems(), o::toString);
        assertEquals(List.of("hostile.Target"), List.copyOf(o.learnerClasses()),
                o::toString);
    }

    static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
