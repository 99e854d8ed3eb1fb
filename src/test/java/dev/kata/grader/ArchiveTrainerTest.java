package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import dev.kata.probe.api.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test JVM's start-up archive is trained on a kata's solution. When no kata qualified, every
 * test JVM started without one, some 0.4 s slower, and nothing said so.
 */
class ArchiveTrainerTest {
    @Test
    void theBuiltInPackHasAKataToTrainTheArchiveOn() {
        Catalog catalog = new CatalogLoader().load(Path.of("katas").toAbsolutePath());
        Kata trainer = Grader.archiveTrainer(catalog.katas()).orElseThrow(
                () -> new AssertionError("no built-in kata runs in the lean test JVM with system properties only"));
        assertTrue(trainer.jvmArgs().stream().allMatch(a -> a.startsWith("-D")), trainer::toString);
    }

    @Test
    void systemPropertiesDoNotDisqualifyAKataOtherFlagsDo() {
        Kata opens = kata("opens", List.of("--add-opens=java.base/java.io=ALL-UNNAMED"));
        Kata properties = kata("properties", List.of("-Dkata.races=true", "-Dkata.noise=true"));
        assertEquals("properties", Grader.archiveTrainer(List.of(opens, properties)).orElseThrow().id());
        assertTrue(Grader.archiveTrainer(List.of(opens)).isEmpty());
    }

    private static Kata kata(String id, List<String> jvmArgs) {
        return new Kata(id, Fixtures.ROOT.resolve("hostile"), "Hostile inputs", "fixtures", Reason.TEST_FAILURE, "",
                "hostile", List.of("Target.java"), Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(30), jvmArgs);
    }
}
