package dev.kata.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceLocatorTest {
    @TempDir
    Path temp;

    @Test
    void walksUpFromTheCurrentFolder() throws IOException {
        Path ws = init("ws");
        Path deep = Files.createDirectories(ws.resolve("src/main/java/leakalert"));

        assertEquals(ws, new WorkspaceLocator(null, Map.of(), deep, home()).locate().root());
    }

    @Test
    void optionBeatsEnvironmentBeatsWalkingUp() throws IOException {
        Path a = init("a");
        Path b = init("b");
        Path c = init("c");

        assertEquals(a, new WorkspaceLocator(a, Map.of("KATA_WORKSPACE", b.toString()), c, home()).locate().root());
        assertEquals(b, new WorkspaceLocator(null, Map.of("KATA_WORKSPACE", b.toString()), c, home()).locate().root());
        assertEquals(c, new WorkspaceLocator(null, Map.of(), c, home()).locate().root());
    }

    @Test
    void relativeOptionIsResolvedAgainstTheCurrentFolder() throws IOException {
        Path a = init("a");

        assertEquals(a, new WorkspaceLocator(Path.of("a"), Map.of(), temp, home()).locate().root());
    }

    @Test
    void fallsBackToTheDefaultWorkspaceInHome() throws IOException {
        Path home = home();
        new WorkspaceInitializer().init(home.resolve("kata-workspace"), false);
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));

        assertEquals(home.resolve("kata-workspace"), new WorkspaceLocator(null, Map.of(), elsewhere, home).locate().root());
    }

    @Test
    void noWorkspaceSaysHowToMakeOne() throws IOException {
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));

        NoWorkspaceException e = assertThrows(NoWorkspaceException.class,
                () -> new WorkspaceLocator(null, Map.of(), elsewhere, home()).locate());

        assertTrue(e.getMessage().contains("kata init DIR"), e.getMessage());
        assertTrue(e.getMessage().contains("just `kata` to create ~/kata-workspace"), e.getMessage());
    }

    @Test
    void anOptionThatIsNoWorkspaceIsAnError() throws IOException {
        Files.createDirectories(temp.resolve("plain"));

        NoWorkspaceException e = assertThrows(NoWorkspaceException.class,
                () -> new WorkspaceLocator(Path.of("plain"), Map.of(), temp, home()).locate());

        assertTrue(e.getMessage().contains("is not a kata workspace"), e.getMessage());
        assertTrue(e.getMessage().contains("kata init " + temp.resolve("plain")), e.getMessage());
    }

    @Test
    void defaultLocationFollowsOptionThenEnvironmentThenHome() {
        Path home = home();
        assertEquals(home.resolve("kata-workspace"), new WorkspaceLocator(null, Map.of(), temp, home).defaultLocation());
        assertEquals(temp.resolve("e"), new WorkspaceLocator(null, Map.of("KATA_WORKSPACE", "e"), temp, home).defaultLocation());
        assertEquals(temp.resolve("o"), new WorkspaceLocator(Path.of("o"), Map.of("KATA_WORKSPACE", "e"), temp, home).defaultLocation());
    }

    private Path init(String name) {
        return new WorkspaceInitializer().init(temp.resolve(name), false).workspace().root();
    }

    private Path home() {
        return temp.resolve("home");
    }
}
