package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.render.StoryText;
import dev.kata.render.Style;
import dev.kata.workspace.ProgressNotRecordedException;
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
        String notRecorded = null;
        try {
            ctx.progress().update(kata.id(), p -> {
                shown[0] = Math.min(p.hintsUsed() + 1, hints.size());
                return p.withHintsUsed(shown[0]);
            });
        } catch (ProgressNotRecordedException e) {
            shown[0] = Math.min(ctx.progress().read().of(kata.id()).hintsUsed() + 1, hints.size());
            notRecorded = e.getMessage();
        }
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
        if (notRecorded != null) {
            ctx.err().println("kata: warning: this hint was not recorded: " + notRecorded);
        }
        return Main.PASS;
    }
}
