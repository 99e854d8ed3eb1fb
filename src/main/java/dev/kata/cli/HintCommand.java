package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.render.StoryText;
import dev.kata.render.Style;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "hint", mixinStandardHelpOptions = true,
        description = "Show the hints of a kata, one more each time: from a nudge to the API to use.")
final class HintCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        List<String> hints = KataTexts.read(kata).hints();
        int[] shown = new int[1];
        ctx.progress().update(kata.id(), p -> {
            shown[0] = Math.min(p.hintsUsed() + 1, hints.size());
            return p.withHintsUsed(shown[0]);
        });
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        StoryText markdown = new StoryText(style);
        for (int level = 1; level <= shown[0]; level++) {
            out.println(style.heading("Hint " + level + " of " + hints.size()));
            out.print(markdown.render(hints.get(level - 1)));
            out.println();
        }
        if (shown[0] < hints.size()) {
            out.println(style.dim("Run `kata hint " + kata.id() + "` again for the next one."));
        } else {
            out.println(style.dim("That was the last hint: all " + hints.size() + " are shown."));
        }
        return Main.PASS;
    }
}
