package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.render.Plural;
import dev.kata.render.Reflow;
import dev.kata.render.StoryText;
import dev.kata.render.Style;
import dev.kata.workspace.ProgressNotRecordedException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "hint", mixinStandardHelpOptions = true,
        description = "Show the hints of a kata, one more each time: from a nudge to the API to use.")
final class HintCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Option(names = "--seen", description = "Show again the hints you have already seen, without the next one.")
    boolean seen;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        List<String> hints = KataTexts.read(kata).hints();
        if (seen) {
            return showSeen(ctx, kata, hints);
        }
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
        printHints(out, style, hints, shown[0], ctx.columns());
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

    private static int showSeen(CommandContext ctx, Kata kata, List<String> hints) {
        int seen = Math.min(ctx.progress().read().of(kata.id()).hintsUsed(), hints.size());
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        if (seen == 0) {
            out.println("You have not seen any hint of " + kata.id() + " yet: `kata hint " + kata.id() + "` shows the first.");
            return Main.PASS;
        }
        printHints(out, style, hints, seen, ctx.columns());
        out.println(style.dim(seen < hints.size()
                ? Plural.of(hints.size() - seen, "more hint") + " left: `kata hint " + kata.id() + "` shows the next."
                : "That is every hint: all " + hints.size() + " are seen."));
        return Main.PASS;
    }

    /** The hints filled to {@code columns}, as the session shows them, not at the author's line breaks. */
    private static void printHints(PrintWriter out, Style style, List<String> hints, int count, int columns) {
        StoryText markdown = new StoryText(style);
        for (int level = 1; level <= count; level++) {
            out.println(style.heading("Hint " + level + " of " + hints.size()));
            Reflow.wrap(markdown.render(Reflow.paragraphs(hints.get(level - 1))).lines().toList(), columns)
                    .forEach(out::println);
            out.println();
        }
    }
}
