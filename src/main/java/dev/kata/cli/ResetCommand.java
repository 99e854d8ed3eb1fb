package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.render.Style;
import dev.kata.workspace.Resetter;
import dev.kata.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "reset", mixinStandardHelpOptions = true,
        description = "Put a kata's starter file(s) back. Your version is backed up first (kept in the workspace, under .kata/backups).")
final class ResetCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        Workspace workspace = ctx.workspace();
        Resetter.Result result = new Resetter(ctx.clock()).reset(kata, workspace);
        ctx.progress().update(kata.id(), p -> p.started(ctx.clock().instant()));
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        if (result.backup() != null) {
            out.println("Your version is backed up in " + style.bold(result.backup().toString()) + ":");
            for (Path copy : result.backedUp()) {
                out.println("  " + copy.getFileName());
            }
        } else {
            out.println("Nothing to back up: your files were the same as the starter (or not there).");
        }
        out.println(style.passMark() + " " + kata.id() + " is back to its starter.");
        StartFlow.printFiles(ctx, kata, workspace);
        return Main.PASS;
    }
}
