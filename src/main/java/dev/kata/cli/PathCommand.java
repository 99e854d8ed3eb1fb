package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.workspace.Workspace;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "path", mixinStandardHelpOptions = true,
        description = "The absolute path of each file you edit for a kata, one per line.")
final class PathCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        Workspace workspace = ctx.workspace();
        workspace.learnerFiles(kata).forEach(ctx.out()::println);
        if (!workspace.isStarted(kata)) {
            ctx.err().println("(not there yet: run `kata start " + kata.id() + "` to put the starter there)");
        }
        return Main.PASS;
    }
}
