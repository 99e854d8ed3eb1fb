package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.cli.CommandContext;
import dev.kata.cli.Launch;
import dev.kata.cli.Main;
import dev.kata.cli.StartFlow;
import dev.kata.grader.GraderSettings;
import dev.kata.render.Style;
import dev.kata.workspace.KataState;
import dev.kata.workspace.NoWorkspaceException;
import dev.kata.workspace.ProgressStatus;
import dev.kata.workspace.Workspace;
import dev.kata.workspace.WorkspaceInitializer;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * What a bare {@code kata} does: make sure there is a workspace (the default one is created if there
 * is none anywhere), then open the current kata, the first not yet passed, starting it if needed.
 * In a terminal (stdin and stdout) that is the interactive {@link Session}; otherwise (piped, CI)
 * the same information is printed once and the command exits, never waiting for keys.
 */
public final class SessionLauncher {
    private final CommandContext ctx;

    public SessionLauncher(CommandContext ctx) {
        this.ctx = ctx;
    }

    public int run() {
        Workspace workspace = workspaceOrDefault();
        List<KataState> states = KataState.of(ctx.catalog().katas(), ctx.progress().read(), workspace);
        Optional<KataState> current = KataState.current(states);
        if (interactive() && !states.isEmpty()) {
            Terminal terminal = systemTerminal();
            if (terminal != null) {
                try (terminal) {
                    Kata first = current.map(KataState::kata).orElse(states.get(states.size() - 1).kata());
                    return new Session(setup(workspace), terminal).run(first, current.isEmpty());
                } catch (IOException e) {
                    return 0;
                }
            }
        }
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        if (current.isEmpty()) {
            out.println(style.passMark() + (states.size() == 1 ? " The kata passed. " : " All " + states.size() + " katas passed. ")
                    + "`kata solution ID` shows any reference solution again; `kata progress` sums it up.");
            return 0;
        }
        Kata kata = current.get().kata();
        if (current.get().status() == ProgressStatus.NOT_STARTED) {
            new StartFlow(ctx).start(kata);
        } else {
            out.println("Current kata: " + style.bold(kata.id()) + " - " + kata.title()
                    + style.dim("  (" + (states.indexOf(current.get()) + 1) + " of " + states.size() + ")"));
            out.println("Its story again: kata start " + kata.id());
            StartFlow.printFiles(ctx, kata, workspace);
        }
        SourceLine.Spot spot = SourceLine.firstDifference(kata);
        if (spot.line() > 0) {
            out.println("Where to look: " + style.bold(ctx.paths().show(workspace.learnerFile(kata, spot.file()))
                    + ":" + spot.line()));
        }
        out.println(style.dim("In a terminal, `kata` opens the interactive session: saving the file checks it;"
                + " keys h hint, c check, l list, q quit."));
        return 0;
    }

    /** Whether both ends are a terminal: {@code KATA_STDIN_TTY} from the launcher, else the JVM's console. */
    private boolean interactive() {
        if (!ctx.stdoutTerminal()) {
            return false;
        }
        String stdin = ctx.launch().env().get("KATA_STDIN_TTY");
        if (stdin != null) {
            return stdin.equals("1");
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true; // JDK 21: a console exists only when stdin and stdout are a terminal
        }
    }

    private static Terminal systemTerminal() {
        try {
            return TerminalBuilder.builder().name("kata").system(true).nativeSignals(true)
                    .encoding(StandardCharsets.UTF_8).build();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private SessionSetup setup(Workspace workspace) {
        Launch launch = ctx.launch();
        Map<String, String> env = launch.env();
        return new SessionSetup(ctx.catalog(), workspace, ctx::progress, ctx.clock(), ctx.cwd(), env,
                GraderSettings.defaults(ctx.cacheDir()), ctx.style().color(),
                (args, out, err) -> Main.run(forPrompt(launch, out, err), args.toArray(String[]::new)),
                () -> Main.commandLine(forPrompt(launch, new PrintWriter(PrintWriter.nullWriter()),
                        new PrintWriter(PrintWriter.nullWriter()))));
    }

    /** The launch of a command typed at the session's prompt: the same world, its output captured. */
    private static Launch forPrompt(Launch launch, PrintWriter out, PrintWriter err) {
        return new Launch(out, err, launch.env(), launch.cwd(), launch.home(), launch.kataHome(), launch.codeLocation(),
                false, launch.clock());
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
