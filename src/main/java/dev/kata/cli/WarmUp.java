package dev.kata.cli;

import dev.kata.catalog.BuiltInPack;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Grader;
import dev.kata.grader.GraderSettings;
import dev.kata.render.Style;
import dev.kata.render.VerdictJson;
import dev.kata.render.VerdictText;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Run once by the launcher, under {@code -XX:ArchiveClassesAtExit}, after each build: writes the
 * test JVM's start-up archive, then grades the first built-in kata's solution and renders the
 * verdict, so the tutor's class-data archive holds what a real check loads (javac, JUnit, Jackson,
 * picocli) and not only what the first command needed. Prints nothing.
 */
public final class WarmUp {
    private WarmUp() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            Catalog catalog = new CatalogLoader().load(
                    BuiltInPack.locate(System.getProperty("kata.home"), BuiltInPack.codeLocation()));
            Kata kata = catalog.katas().get(0);
            Path cache = Launch.system().cacheDir(); // where the commands will look for it
            Grader grader = new Grader(GraderSettings.defaults(cache));
            grader.trainArchive(catalog.katas());
            var verdict = grader.check(kata, kata.solutionDir(), CheckListener.NONE);
            VerdictJson.render(verdict);
            new VerdictText(Style.plain(), new dev.kata.render.PathDisplay(Path.of("").toAbsolutePath()), false, 80)
                    .render(verdict, kata, kata.solutionDir());
            new picocli.CommandLine(new KataCommand(Launch.system())).getUsageMessage();
        } catch (RuntimeException e) {
            // A warm-up that fails only makes the archive smaller; the real command will say what is wrong.
        } finally {
            System.setOut(out);
        }
        System.exit(0);
    }
}
