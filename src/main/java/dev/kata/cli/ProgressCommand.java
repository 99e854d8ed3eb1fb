package dev.kata.cli;

import dev.kata.catalog.Catalog;
import dev.kata.render.ProgressJson;
import dev.kata.render.ProgressText;
import dev.kata.workspace.KataState;
import dev.kata.workspace.Workspace;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "progress", mixinStandardHelpOptions = true,
        description = "How far you are: counts, then each kata's status, checks and hints, by track.")
final class ProgressCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the counts and each kata's record as JSON.")
    boolean json;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Workspace workspace = ctx.workspace();
        Catalog catalog = ctx.catalog();
        List<KataState> states = KataState.of(catalog.katas(), ctx.progress().read(), workspace);
        ctx.out().print(json
                ? ProgressJson.render(catalog.tracks(), states)
                : new ProgressText(ctx.style(), ctx.clock().getZone()).render(catalog.tracks(), states));
        return Main.PASS;
    }
}
