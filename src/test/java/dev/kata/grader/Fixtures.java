package dev.kata.grader;

import dev.kata.catalog.Kata;
import dev.kata.probe.api.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
}
