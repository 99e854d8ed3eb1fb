package dev.kata.cli;

import dev.kata.catalog.Catalog;
import dev.kata.render.ListJson;
import dev.kata.render.ListText;
import dev.kata.workspace.KataState;
import dev.kata.workspace.NoWorkspaceException;
import dev.kata.workspace.Progress;
import dev.kata.workspace.Workspace;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "The katas in order, with where you are in each.")
final class ListCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print a JSON array of {id, title, status, track, pitfall, summary}.")
    boolean json;

    @Option(names = "--ids", hidden = true, description = "Print only the ids, one a line (for shell completion).")
    boolean ids;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Workspace workspace = null;
        String noWorkspace = null;
        try {
            workspace = ctx.workspace();
        } catch (NoWorkspaceException e) {
            if (e.named()) {
                throw e;
            }
            noWorkspace = e.getMessage();
        }
        Catalog catalog = ctx.catalog();
        if (ids) {
            catalog.katas().forEach(k -> ctx.out().println(k.id()));
            return Main.PASS;
        }
        Progress progress = workspace == null ? Progress.EMPTY : ctx.progress().read();
        List<KataState> states = KataState.of(catalog.katas(), progress, workspace);
        if (json) {
            ctx.out().print(ListJson.render(states));
        } else {
            ctx.out().print(new ListText(ctx.style()).render(catalog.tracks(), states, workspace != null));
            if (noWorkspace != null) {
                ctx.err().println("Statuses are not shown: " + noWorkspace);
            }
        }
        return Main.PASS;
    }
}
