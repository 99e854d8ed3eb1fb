package dev.kata.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.KataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceInitializerTest {
    @TempDir
    Path temp;

    @Test
    void createsAnIdeFriendlyLayout() throws IOException {
        Path root = temp.resolve("ws");

        WorkspaceInitializer.Result result = new WorkspaceInitializer().init(root, false);

        assertTrue(Files.isDirectory(root.resolve("src/main/java")));
        assertTrue(Files.readString(root.resolve("pom.xml")).contains("<maven.compiler.release>21</maven.compiler.release>"));
        assertTrue(Files.readString(root.resolve(".gitignore")).contains(".kata/backups/"));
        assertTrue(Files.exists(root.resolve("README.txt")));
        assertEquals(new WorkspaceSettings(1, null), WorkspaceSettings.read(root.resolve(".kata/workspace.toml")));
        assertEquals(4, result.created().size());
    }

    @Test
    void refusesAnExistingWorkspace() {
        Path root = temp.resolve("ws");
        new WorkspaceInitializer().init(root, false);

        KataException e = assertThrows(KataException.class, () -> new WorkspaceInitializer().init(root, true));

        assertTrue(e.getMessage().contains("is already a kata workspace"));
    }

    @Test
    void refusesANonEmptyFolderUnlessForcedAndNeverOverwrites() throws IOException {
        Path root = Files.createDirectories(temp.resolve("project"));
        Files.writeString(root.resolve("pom.xml"), "mine");

        KataException e = assertThrows(KataException.class, () -> new WorkspaceInitializer().init(root, false));
        assertTrue(e.getMessage().contains("is not empty"));
        assertTrue(e.getMessage().contains("--force"));

        WorkspaceInitializer.Result result = new WorkspaceInitializer().init(root, true);

        assertEquals("mine", Files.readString(root.resolve("pom.xml")));
        assertEquals(java.util.List.of(root.resolve("pom.xml")), result.kept());
        assertTrue(Files.exists(root.resolve(".kata/workspace.toml")));
    }

    @Test
    void packSettingIsResolvedAgainstTheWorkspace() throws IOException {
        Path root = temp.resolve("ws");
        new WorkspaceInitializer().init(root, false);
        Files.writeString(root.resolve(".kata/workspace.toml"), "format = 1\npack = \"../my-pack\"\n");

        assertEquals(temp.resolve("my-pack"), new Workspace(root).settings().packDir(root).orElseThrow());
    }

    @Test
    void newerFormatIsRefused() throws IOException {
        Path root = temp.resolve("ws");
        new WorkspaceInitializer().init(root, false);
        Files.writeString(root.resolve(".kata/workspace.toml"), "format = 99\n");

        assertThrows(KataException.class, () -> new Workspace(root).settings());
    }
}
