package dev.kata.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.TestPacks;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StarterAndResetterTest {
    @TempDir
    Path temp;
    Kata kata;
    Workspace workspace;
    final Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);

    @BeforeEach
    void setUp() {
        kata = new CatalogLoader().load(TestPacks.copyMini(temp.resolve("katas"))).require("greet-all");
        workspace = new WorkspaceInitializer().init(temp.resolve("ws"), false).workspace();
    }

    @Test
    void startCopiesTheStarterIntoThePackageFolder() throws IOException {
        Starter.Result result = new Starter().start(kata, workspace);

        assertEquals(workspace.root().resolve("src/main/java/greetall"), workspace.sourceDir(kata));
        assertEquals(workspace.learnerFiles(kata), result.copied());
        assertEquals(Files.readString(kata.starterDir().resolve("Greeter.java")),
                Files.readString(workspace.learnerFile(kata, "Greeter.java")));
        assertTrue(workspace.isStarted(kata));
    }

    @Test
    void startNeverOverwritesTheLearnersFile() throws IOException {
        new Starter().start(kata, workspace);
        Path greeter = workspace.learnerFile(kata, "Greeter.java");
        Files.writeString(greeter, "my work");
        Files.delete(workspace.learnerFile(kata, "Names.java"));

        Starter.Result again = new Starter().start(kata, workspace);

        assertEquals("my work", Files.readString(greeter));
        assertEquals(List.of(greeter), again.kept());
        assertEquals(List.of(workspace.learnerFile(kata, "Names.java")), again.copied());
    }

    @Test
    void resetBacksUpChangedFilesThenRestoresTheStarter() throws IOException {
        new Starter().start(kata, workspace);
        Path greeter = workspace.learnerFile(kata, "Greeter.java");
        Files.writeString(greeter, "my work");

        Resetter.Result first = new Resetter(clock).reset(kata, workspace);
        Files.writeString(greeter, "my second try");
        Resetter.Result second = new Resetter(clock).reset(kata, workspace);

        assertEquals(workspace.backupsDir().resolve("greet-all/20260304-050607"), first.backup());
        assertEquals("my work", Files.readString(first.backup().resolve("Greeter.java")));
        assertEquals(List.of(first.backup().resolve("Greeter.java")), first.backedUp(), "unchanged Names.java needs no backup");
        assertNotEquals(first.backup(), second.backup());
        assertEquals("my second try", Files.readString(second.backup().resolve("Greeter.java")));
        assertEquals(Files.readString(kata.starterDir().resolve("Greeter.java")), Files.readString(greeter));
    }

    @Test
    void resetOfUntouchedFilesNeedsNoBackup() {
        new Starter().start(kata, workspace);

        Resetter.Result result = new Resetter(clock).reset(kata, workspace);

        assertNull(result.backup());
        assertEquals(workspace.learnerFiles(kata), result.restored());
    }

    @Test
    void supportFilesAreCopiedReadOnlyBesideTheLearnersAndRefreshed() throws IOException {
        Path pack = temp.resolve("katas");
        Files.createDirectories(pack.resolve("greet-all/support"));
        Files.move(pack.resolve("greet-all/starter/Names.java"), pack.resolve("greet-all/support/Names.java"));
        kata = new CatalogLoader().load(pack).require("greet-all");

        new Starter().start(kata, workspace);
        Path copy = workspace.learnerFile(kata, "Names.java");

        assertEquals(List.of(workspace.learnerFile(kata, "Greeter.java")), workspace.learnerFiles(kata));
        assertEquals(List.of(copy), workspace.supportCopies(kata));
        assertEquals(Files.readString(kata.supportDir().resolve("Names.java")), Files.readString(copy));
        assertTrue(!Files.isWritable(copy) || "root".equals(System.getProperty("user.name")));

        Files.writeString(kata.supportDir().resolve("Names.java"), "package greetall; // a newer kata\n");
        Resetter.Result reset = new Resetter(clock).reset(kata, workspace);

        assertNull(reset.backup(), "support copies are not the learner's work");
        assertEquals("package greetall; // a newer kata\n", Files.readString(copy));
    }
}
