package dev.kata.authoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.KataException;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code kata new} writes, checked by the catalog loader (the grading of it is in the CLI tests). */
class ScaffolderTest {
    @TempDir
    Path temp;

    @Test
    void aNewKataInANewPackLoadsWithEveryPartOfTheFormat() {
        Path pack = temp.resolve("team-pack");

        Scaffolder.Result result = new Scaffolder().create(pack, "billing-export", null, null);

        assertTrue(result.manifestCreated());
        Catalog catalog = new CatalogLoader().load(pack);
        assertEquals("team-pack", catalog.name());
        Kata kata = catalog.require("billing-export");
        assertEquals("Billing export", kata.title());
        assertEquals("billingexport", kata.javaPackage());
        assertEquals(Reason.LOST_WORK, kata.pitfall());
        assertEquals(List.of("ReportExporter.java"), kata.files());
        assertEquals(List.of("example"), List.copyOf(kata.mutants().keySet()));
        assertTrue(Files.isRegularFile(kata.testsDir().resolve("ReportExporterTest.java")));
        assertEquals(3, kata.contract().clauses().size());
        assertEquals(new dev.kata.validate.ContractAudit(List.of(), List.of()), dev.kata.validate.ContractAudit.of(kata, true));
        KataTexts texts = KataTexts.read(kata);
        assertEquals(3, texts.hints().size());
        assertTrue(texts.story().startsWith("# Billing export\n"), texts.story());
        for (String heading : List.of("## The story", "## Where it comes from (Go)", "## The Java form", "## Your task")) {
            assertTrue(texts.story().contains(heading), heading);
        }
    }

    @Test
    void aSecondKataJoinsTheLastTrackAndKeepsTheFirst() throws IOException {
        Path pack = temp.resolve("team-pack");
        new Scaffolder().create(pack, "billing-export", null, null);

        Scaffolder.Result second = new Scaffolder().create(pack, "ledger-lock", "The ledger that locks up", null);

        assertFalse(second.manifestCreated());
        Catalog catalog = new CatalogLoader().load(pack);
        assertEquals(List.of("billing-export", "ledger-lock"), catalog.katas().stream().map(Kata::id).toList());
        assertEquals("The ledger that locks up", catalog.require("ledger-lock").title());
        assertTrue(Files.readString(catalog.require("ledger-lock").starterDir().resolve("ReportExporter.java"))
                .startsWith("package ledgerlock;\n"));
        try (Stream<Path> entries = Files.list(pack)) {
            assertEquals(List.of("billing-export", "ledger-lock", "pack.toml"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList(), "no staging folder left behind");
        }
    }

    @Test
    void nothingIsOverwrittenOrListedTwice() throws IOException {
        Path pack = temp.resolve("team-pack");
        new Scaffolder().create(pack, "billing-export", null, null);
        Path story = pack.resolve("billing-export/story.md");
        Files.writeString(story, "my story");

        KataException exists = assertThrows(KataException.class,
                () -> new Scaffolder().create(pack, "billing-export", null, null));

        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        assertEquals("my story", Files.readString(story));
    }

    @Test
    void anIdTheManifestAlreadyNamesIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path pack = Files.createDirectories(temp.resolve("team-pack"));
        Files.writeString(pack.resolve("pack.toml"), "name = \"t\"\nversion = \"1\"\ninclude = [\"leak-alert\"]\n");

        KataException e = assertThrows(KataException.class, () -> new Scaffolder().create(pack, "leak-alert", null, null));

        assertTrue(e.getMessage().contains("already lists leak-alert"), e.getMessage());
        assertFalse(Files.exists(pack.resolve("leak-alert")));
    }

    @Test
    void badIdsAreRefused() {
        for (String id : List.of("Billing", "billing--export", "9lives", "billing_export")) {
            KataException e = assertThrows(KataException.class, () -> new Scaffolder().create(temp, id, null, null), id);
            assertTrue(e.getMessage().contains("is not a kata id"), e.getMessage());
        }
        KataException keyword = assertThrows(KataException.class, () -> new Scaffolder().create(temp, "int", null, null));
        assertTrue(keyword.getMessage().contains("Java keyword"), keyword.getMessage());
    }
}
