package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.cli.CommandContext;
import dev.kata.cli.StartFlow;
import dev.kata.render.Style;
import dev.kata.workspace.KataState;
import dev.kata.workspace.NoWorkspaceException;
import dev.kata.workspace.ProgressStatus;
import dev.kata.workspace.Workspace;
import dev.kata.workspace.WorkspaceInitializer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a bare {@code kata} does. For now the plain version: make sure there is a workspace (the
 * default one is created if there is none anywhere), then show the current kata, the first not yet
 * passed, starting it if needed. An interactive session will take its place on terminals.
 */
public final class SessionLauncher {
    private final CommandContext ctx;

    public SessionLauncher(CommandContext ctx) {
        this.ctx = ctx;
    }

    public int run() {
        Workspace workspace = workspaceOrDefault();
        List<KataState> states = KataState.of(ctx.catalog().katas(), ctx.progress().read(), workspace);
        Optional<KataState> current = states.stream().filter(s -> s.status() != ProgressStatus.PASSED).findFirst();
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        if (current.isEmpty()) {
            out.println(style.passMark() + " All " + states.size() + " katas passed. "
                    + "`kata solution ID` shows any reference solution again; `kata progress` sums it up.");
            return 0;
        }
        Kata kata = current.get().kata();
        if (current.get().status() == ProgressStatus.NOT_STARTED) {
            return new StartFlow(ctx).start(kata);
        }
        out.println("Current kata: " + style.bold(kata.id()) + " - " + kata.title()
                + style.dim("  (" + (states.indexOf(current.get()) + 1) + " of " + states.size() + ")"));
        out.println("Its story again: kata start " + kata.id());
        StartFlow.printFiles(ctx, kata, workspace);
        return 0;
    }

    private Workspace workspaceOrDefault() {
        try {
            return ctx.workspace();
        } catch (NoWorkspaceException e) {
            Path target = ctx.locator().defaultLocation();
            Workspace created = new WorkspaceInitializer().init(target, false).workspace();
            ctx.useWorkspace(created);
            ctx.out().println(ctx.style().passMark() + " Created your kata workspace in "
                    + ctx.style().bold(created.root().toString())
                    + ctx.style().dim("  (kata init DIR makes one elsewhere)"));
            ctx.out().println();
            return created;
        }
    }
}
