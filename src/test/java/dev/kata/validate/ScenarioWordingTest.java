package dev.kata.validate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scenario a seeded hidden test describes in its failure ("seed 42, scenario 1: ...") is read by the learner:
 * a count that may be 1 takes its noun in the right number ("1 lab file", not "1 lab files").
 */
class ScenarioWordingTest {
    /** A scenario's format string: "seed %d" and the literals joined to it. */
    private static final Pattern SCENARIO = Pattern.compile("String\\.format\\(\\s*(\"seed %d(?:[^\"\\\\]|\\\\.)*\"(?:\\s*\\+\\s*\"(?:[^\"\\\\]|\\\\.)*\")*)");
    /** A count right before a plural noun: "%d lab files", "%,d results". */
    private static final Pattern COUNTED_PLURAL = Pattern.compile("%,?d ((?:[a-z-]+ )?[a-z-]+s)\\b");
    /** Counts that are never 1, and units. */
    private static final Set<String> NEVER_ONE = Set.of(
            "lost-update-counter: workers", // WORKER_CHOICES: 2, 4, 16 or 32
            "retained-slice: connection threads", // 2 + random.nextInt(3)
            "ms");

    @Test
    void aScenarioNeverSaysOneOfAPlural() throws IOException {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("katas").toAbsolutePath())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.getParent().endsWith("tests")).toList()) {
                String kata = file.getParent().getParent().getFileName().toString();
                Matcher scenario = SCENARIO.matcher(Files.readString(file));
                while (scenario.find()) {
                    Matcher counted = COUNTED_PLURAL.matcher(scenario.group(1));
                    while (counted.find()) {
                        String noun = counted.group(1);
                        if (!NEVER_ONE.contains(noun) && !NEVER_ONE.contains(kata + ": " + noun)) {
                            wrong.add(kata + "/tests/" + file.getFileName() + ": '" + counted.group() + "' says '1 "
                                    + noun + "' when the count is 1; choose the noun by the count");
                        }
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
