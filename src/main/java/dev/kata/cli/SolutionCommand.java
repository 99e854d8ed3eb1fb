package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.catalog.CatalogException;
import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.render.StoryText;
import dev.kata.render.Style;
import dev.kata.workspace.ProgressStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "solution", mixinStandardHelpOptions = true,
        description = "After you pass a kata: its reference solution and why it works.")
final class SolutionCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        if (ctx.progress().read().of(kata.id()).status() != ProgressStatus.PASSED) {
            throw new KataException("the solution of " + kata.id() + " is shown once you pass it: "
                    + "fix your file and run `kata check " + kata.id() + "` first (stuck? `kata hint " + kata.id() + "`).");
        }
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        for (String name : kata.solutionChanges()) {
            out.println(style.heading("── " + name + " (reference solution) ──"));
            out.print(read(kata, name));
            out.println();
        }
        out.print(new StoryText(style).render(KataTexts.read(kata).solutionNotes()));
        return Main.PASS;
    }

    private static String read(Kata kata, String name) {
        try {
            String text = Files.readString(kata.solutionFile(name));
            return text.endsWith("\n") ? text : text + "\n";
        } catch (IOException e) {
            throw new CatalogException(kata.solutionFile(name) + ": cannot be read: " + e.getMessage());
        }
    }
}
