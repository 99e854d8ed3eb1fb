package dev.kata.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.TestPacks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A team's pack: its own katas in its folder, built-in ones named in {@code include}. */
class PackIncludeTest {
    @TempDir
    Path temp;
    Path builtIn;
    Path team;

    @BeforeEach
    void packs() throws IOException {
        builtIn = TestPacks.copyMini(temp.resolve("install/katas"));
        team = Files.createDirectories(temp.resolve("repo/team"));
        copyTree(builtIn.resolve("count-down"), team.resolve("count-down"));
    }

    @Test
    void aTrackListsIncludedBuiltInKatasFirstThenItsOwn() throws IOException {
        manifest("""
                [[tracks]]
                id = "week-1"
                title = "Week one"
                include = ["greet-all", "sum-up"]
                katas = ["count-down"]
                """);

        Catalog catalog = load();

        assertEquals(List.of("greet-all", "sum-up", "count-down"), catalog.katas().stream().map(Kata::id).toList());
        assertEquals(builtIn.resolve("greet-all"), catalog.require("greet-all").dir());
        assertEquals(team.resolve("count-down"), catalog.require("count-down").dir());
        assertEquals("week-1", catalog.require("sum-up").track());
        assertEquals("team", catalog.name());
    }

    @Test
    void aTopLevelIncludeMakesAFirstTrackOfItsOwn() throws IOException {
        manifest("""
                include = ["sum-up"]

                [[tracks]]
                id = "ours"
                title = "Our services"
                katas = ["count-down"]
                """);

        Catalog catalog = load();

        assertEquals(List.of("built-in", "ours"), catalog.tracks().stream().map(Track::id).toList());
        assertEquals("Built-in katas", catalog.tracks().get(0).title());
        assertEquals(List.of("sum-up", "count-down"), catalog.katas().stream().map(Kata::id).toList());
    }

    @Test
    void aPackMayBeOnlyIncludes() throws IOException {
        manifest("include = [\"count-down\", \"sum-up\"]\n");

        assertEquals(List.of("count-down", "sum-up"), load().katas().stream().map(Kata::id).toList());
    }

    @Test
    void anUnknownIncludeNamesFileFieldAndCloseIds() throws IOException {
        manifest("""
                [[tracks]]
                id = "week-1"
                title = "Week one"
                include = ["sum-upp"]
                """);

        String message = loadFails();

        assertEquals("team/pack.toml: tracks[0].include: 'sum-upp' is not a built-in kata (did you mean sum-up?)", message);
    }

    @Test
    void anOwnKataThatIsBuiltInSaysToIncludeIt() throws IOException {
        manifest("""
                [[tracks]]
                id = "week-1"
                title = "Week one"
                katas = ["sum-up"]
                """);

        assertTrue(loadFails().contains("tracks[0].katas: 'sum-up' has no folder team/sum-up/ (it is a built-in kata: "
                + "list it in include instead)"));
    }

    @Test
    void theSameKataIncludedAndOwnedIsListedTwice() throws IOException {
        manifest("""
                include = ["count-down"]

                [[tracks]]
                id = "week-1"
                title = "Week one"
                katas = ["count-down"]
                """);

        assertTrue(loadFails().contains("team/pack.toml: tracks[0].katas: 'count-down' is listed twice"));
    }

    @Test
    void includesNeedTheBuiltInKatas() throws IOException {
        manifest("include = [\"sum-up\"]\n");

        String message = assertThrows(CatalogException.class, () -> new CatalogLoader().load(team)).getMessage();

        assertTrue(message.startsWith("team/pack.toml: include: this pack includes built-in katas, but"), message);
    }

    @Test
    void aTrackNeedsAKataOfSomeKind() throws IOException {
        manifest("""
                [[tracks]]
                id = "week-1"
                title = "Week one"
                include = []
                """);

        assertTrue(loadFails().contains("tracks[0].katas: needs at least one kata"));
    }

    @Test
    void windowsLineEndingsFromAGitCheckoutLoad() throws IOException {
        manifest("""
                include = ["sum-up"]

                [[tracks]]
                id = "ours"
                title = "Our services"
                katas = ["count-down"]
                """);
        try (Stream<Path> files = Files.walk(team)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.writeString(file, Files.readString(file).replace("\r\n", "\n").replace("\n", "\r\n"));
            }
        }

        Catalog catalog = load();

        Kata own = catalog.require("count-down");
        assertEquals("countdown", own.javaPackage());
        assertTrue(KataTexts.read(own).hints().size() > 1, "hint levels split on CRLF lines too");
    }

    @Test
    void aRepositoryRootWithThePackBelowSaysWhereItIs() throws IOException {
        manifest("include = [\"sum-up\"]\n");

        String message = assertThrows(CatalogException.class,
                () -> new CatalogLoader(() -> builtIn).load(temp.resolve("repo"))).getMessage();

        assertTrue(message.startsWith("repo/pack.toml: missing"), message);
        assertTrue(message.contains("a pack is in " + team + ": use that folder"), message);
    }

    @Test
    void aKataFolderNoTrackListsIsFound() throws IOException {
        manifest("include = [\"sum-up\"]\n");

        List<String> unlisted = PackFiles.unlisted(load());

        assertEquals(List.of("team/count-down/: has a kata.toml, but no track of team/pack.toml lists it "
                + "(add \"count-down\" to a track's katas)"), unlisted);
    }

    private void manifest(String body) throws IOException {
        Files.writeString(team.resolve("pack.toml"), "name = \"team\"\nversion = \"1.0\"\n" + body);
    }

    private Catalog load() {
        return new CatalogLoader(() -> builtIn).load(team);
    }

    private String loadFails() {
        return assertThrows(CatalogException.class, this::load).getMessage();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
