package dev.kata.authoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.KataException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Adding an id to pack.toml keeps what the author wrote around it. */
class PackManifestTest {
    private static final String PACK = """
            # Our onboarding pack
            name = "team"
            version = "1.0"

            [[tracks]]  # first week
            id = "week-1"
            title = "Week one"
            include = ["leak-alert"]
            katas = ["billing-export"]   # the classic

            [[tracks]]
            id = "week-2"
            title = "Week two"
            katas = [
              "cache-stampede",
              "ledger-lock", # tricky
            ]
            """;

    @Test
    void aSingleLineArrayGetsTheIdAtItsEnd() {
        PackManifest.Edit edit = PackManifest.addKata(PACK, "week-1", "new-one");

        assertTrue(edit.text().contains("katas = [\"billing-export\", \"new-one\"]   # the classic\n"), edit.text());
        assertEquals("week-1", edit.trackId());
        assertFalse(edit.newTrack());
        assertTrue(edit.text().startsWith("# Our onboarding pack\n"));
    }

    @Test
    void aMultiLineArrayGetsALineInItsStyle() {
        PackManifest.Edit edit = PackManifest.addKata(PACK, null, "new-one");

        assertTrue(edit.text().contains("""
                katas = [
                  "cache-stampede",
                  "ledger-lock", # tricky
                  "new-one",
                ]
                """), edit.text());
        assertEquals("week-2", edit.trackId(), "the last track by default");
    }

    @Test
    void aMultiLineArrayWithoutATrailingCommaStaysValid() {
        String text = "name = \"t\"\nversion = \"1\"\n[[tracks]]\nid = \"a\"\ntitle = \"A\"\nkatas = [\n  \"one\"\n]\n";

        String edited = PackManifest.addKata(text, "a", "two").text();

        assertTrue(edited.contains("katas = [\n  \"one\",\n  \"two\"\n]"), edited);
    }

    @Test
    void aTrackWithOnlyIncludesGetsAKatasLine() {
        String text = "name = \"t\"\nversion = \"1\"\n\n[[tracks]]\nid = \"a\"\ntitle = \"A\"\ninclude = [\"leak-alert\"]\n\n";

        String edited = PackManifest.addKata(text, "a", "two").text();

        assertTrue(edited.contains("include = [\"leak-alert\"]\nkatas = [\"two\"]\n"), edited);
        assertEquals(List.of("leak-alert", "two"), PackManifest.allIds(edited));
    }

    @Test
    void anUnknownTrackIsAddedAtTheEnd() {
        PackManifest.Edit edit = PackManifest.addKata(PACK, "week-3", "new-one");

        assertTrue(edit.newTrack());
        assertTrue(edit.text().startsWith(PACK));
        assertTrue(edit.text().endsWith("\n[[tracks]]\nid = \"week-3\"\ntitle = \"Week 3\"\nkatas = [\"new-one\"]\n"), edit.text());
    }

    @Test
    void aPackWithOnlyATopLevelIncludeGetsItsFirstTrack() {
        PackManifest.Edit edit = PackManifest.addKata("name = \"t\"\nversion = \"1\"\ninclude = [\"leak-alert\"]\n", null, "mine");

        assertEquals("own", edit.trackId());
        assertEquals(List.of("leak-alert", "mine"), PackManifest.allIds(edit.text()));
    }

    @Test
    void windowsLineEndingsAreKept() {
        String edited = PackManifest.addKata(PACK.replace("\n", "\r\n"), "week-1", "new-one").text();

        assertTrue(edited.contains("katas = [\"billing-export\", \"new-one\"]   # the classic\r\n"), edited);
    }

    @Test
    void tracksAsInlineTablesAreLeftToTheAuthor() {
        String text = "name = \"t\"\nversion = \"1\"\ntracks = [{ id = \"a\", title = \"A\", katas = [\"one\"] }]\n";

        KataException e = assertThrows(KataException.class, () -> PackManifest.addKata(text, "a", "two"));

        assertTrue(e.getMessage().contains("not written as [[tracks]] tables"), e.getMessage());
    }

    @Test
    void aNewManifestNamesThePackAndItsTrack() {
        String text = PackManifest.create("Team \"A\"", null, "first").text();

        assertTrue(text.startsWith("name = \"Team \\\"A\\\"\"\n"), text);
        assertEquals(List.of("first"), PackManifest.allIds(text));
        assertEquals("Team \"A\"", PackManifest.parse(text).get("name").asText());
    }
}
