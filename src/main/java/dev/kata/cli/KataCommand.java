package dev.kata.cli;

import dev.kata.render.Style;
import dev.kata.shell.SessionLauncher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code kata}: the root command. Without a subcommand it shows where the learner is and what to do next. Its
 * subcommands are added by {@link Main} (see {@link Subcommands}).
 */
@Command(name = "kata",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = {
                "Concurrency pitfalls from Go, taught in Java: fix the file, then let the hidden tests judge it.",
                "",
                "Without a command: opens your current kata (and creates ~/kata-workspace if you have no workspace)."
                        + " In a terminal that is an interactive session: saving your file checks it; keys for hints,"
                        + " the list, a reset, the editor; : runs any command. Piped or in CI it prints where you are"
                        + " and exits."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success, or the check passed",
                "1:the check failed",
                "2:usage error or bad input (unknown kata, no workspace...)",
                "3:internal error",
                "4:the check was inconclusive (e.g. the machine was too busy to tell): run it again"})
public final class KataCommand implements Callable<Integer> {

    @Option(names = {"-w", "--workspace"}, paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "The workspace to use. Default: $KATA_WORKSPACE, else the nearest one at or above "
                    + "the current folder, else ~/kata-workspace.")
    Path workspace;

    @Option(names = "--color", negatable = true, scope = ScopeType.INHERIT,
            description = "Force colour on (--color) or off (--no-color). Default: on for a terminal, off with NO_COLOR.")
    Boolean color;

    private final Launch launch;
    private CommandContext context;

    public KataCommand(Launch launch) {
        this.launch = launch;
    }

    CommandContext context() {
        if (context == null) {
            Style.ColorMode mode = color == null ? Style.ColorMode.AUTO
                    : color ? Style.ColorMode.ALWAYS : Style.ColorMode.NEVER;
            context = new CommandContext(launch, workspace, mode);
        }
        return context;
    }

    @Override
    public Integer call() {
        return new SessionLauncher(context()).run();
    }
}
