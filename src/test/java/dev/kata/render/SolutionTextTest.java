package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.TestPacks;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The solution view: why it works first, then the learner's file against the reference, coloured on a terminal. */
class SolutionTextTest {
    @TempDir
    Path temp;

    @Test
    void colourMarksYourLinesRedTheReferencesGreenAndTheHunkHeaders() throws IOException {
        Kata kata = new CatalogLoader().load(TestPacks.copyMini(temp.resolve("katas"))).require("sum-up");
        Path mine = Files.writeString(temp.resolve("Adder.java"),
                Files.readString(kata.starterDir().resolve("Adder.java")).replace("a - b", "b + a"));

        List<String> lines = new SolutionText(Style.colored()).lines(kata, name -> mine, notes -> notes);
        String plain = String.join("\n", new SolutionText(Style.plain()).lines(kata, name -> mine, notes -> notes));

        assertTrue(lines.contains(Style.colored().red("-        return b + a;")), String.join("\n", lines));
        assertTrue(lines.contains(Style.colored().green("+        return a + b;")), String.join("\n", lines));
        assertTrue(lines.contains(Style.colored().cyan("@@ -6,5 +6,5 @@")), String.join("\n", lines));
        assertTrue(plain.startsWith("Why it works"), plain);
        assertEquals(-1, plain.indexOf('\033'), plain);
    }

    @Test
    void aMissingFileShowsTheReferenceWhole() {
        Kata kata = new CatalogLoader().load(TestPacks.copyMini(temp.resolve("katas"))).require("sum-up");

        String text = String.join("\n", new SolutionText(Style.plain()).lines(kata, name -> temp.resolve("gone"), n -> n));

        assertTrue(text.contains("── Adder.java: the reference solution (your file is gone) ──\npackage sumup;"), text);
        assertTrue(text.contains("        return a + b;"), text);
    }

    @Test
    void givenAWidthTheNotesFillItAndTheDiffKeepsItsLines() throws IOException {
        Path katas = TestPacks.copyMini(temp.resolve("katas"));
        Files.writeString(katas.resolve("sum-up/solution.md"), "# Why it works\n\n`+` adds, where the\nstarter subtracted.\n");
        Kata kata = new CatalogLoader().load(katas).require("sum-up");

        List<String> lines = new SolutionText(Style.plain(), 120).lines(kata, name -> temp.resolve("gone"), Reflow::paragraphs);

        assertTrue(lines.contains("`+` adds, where the starter subtracted."), String.join("\n", lines));
        assertTrue(lines.contains("        return a + b;"), String.join("\n", lines));
    }
}
