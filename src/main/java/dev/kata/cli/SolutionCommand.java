package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import dev.kata.render.Reflow;
import dev.kata.render.SolutionText;
import dev.kata.workspace.ProgressStatus;
import dev.kata.workspace.Workspace;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "solution", mixinStandardHelpOptions = true,
        description = "After you pass a kata: why the reference solution works, and how your file differs from it.")
final class SolutionCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Option(names = "--full", description = "Show the reference file(s) whole instead of the notes and the diff.")
    boolean full;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        if (ctx.progress().read().of(kata.id()).status() != ProgressStatus.PASSED) {
            throw new KataException("the solution of " + kata.id() + " is shown once you pass it: "
                    + "fix your file and run `kata check " + kata.id() + "` first (stuck? `kata hint " + kata.id() + "`).");
        }
        PrintWriter out = ctx.out();
        SolutionText text = new SolutionText(ctx.style(), ctx.columns());
        Workspace workspace = ctx.workspace();
        List<String> lines = full ? text.fullLines(kata) : text.lines(kata, name -> workspace.learnerFile(kata, name), Reflow::paragraphs);
        lines.forEach(out::println);
        if (!full) {
            out.println();
            out.println(ctx.style().dim("The reference file" + (kata.solutionChanges().size() == 1 ? "" : "s")
                    + " in full: `kata solution " + kata.id() + " --full`."));
        }
        return Main.PASS;
    }
}
