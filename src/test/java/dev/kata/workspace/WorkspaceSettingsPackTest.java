package dev.kata.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pack a workspace's settings name: written so TOML reads it back, resolved against the workspace. */
class WorkspaceSettingsPackTest {
    @TempDir
    Path temp;

    @Test
    void aPackPathWithQuotesAndBackslashesSurvivesTheSettingsFile() throws IOException {
        String odd = "../team \"pack\"\\v2";
        Path file = Files.writeString(temp.resolve("workspace.toml"), WorkspaceSettings.template(odd));

        assertEquals(odd, WorkspaceSettings.read(file).pack());
    }

    @Test
    void withoutAPackTheTemplateShowsHowToNameOne() throws IOException {
        String template = WorkspaceSettings.template();
        Path file = Files.writeString(temp.resolve("workspace.toml"), template);

        assertTrue(template.contains("# pack = "), template);
        assertEquals(Optional.empty(), WorkspaceSettings.read(file).packDir(temp, temp));
    }

    @Test
    void thePackIsRelativeToTheWorkspaceOrAbsoluteOrUnderHome() {
        Path ws = temp.resolve("ws");
        Path home = temp.resolve("home");

        assertEquals(temp.resolve("repo/pack"), new WorkspaceSettings(1, "../repo/pack").packDir(ws, home).orElseThrow());
        assertEquals(temp.resolve("abs"), new WorkspaceSettings(1, temp.resolve("abs").toString()).packDir(ws, home).orElseThrow());
        assertEquals(home.resolve("src/pack"), new WorkspaceSettings(1, "~/src/pack").packDir(ws, home).orElseThrow());
    }

    @Test
    void initWritesThePackIntoTheSettings() {
        Workspace workspace = new WorkspaceInitializer().init(temp.resolve("ws"), false, "../team").workspace();

        assertEquals("../team", workspace.settings().pack());
        assertEquals(temp.resolve("team"), workspace.settings().packDir(workspace.root(), temp).orElseThrow());
    }
}
