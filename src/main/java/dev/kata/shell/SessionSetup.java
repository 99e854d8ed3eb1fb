package dev.kata.shell;

import dev.kata.catalog.Catalog;
import dev.kata.grader.GraderSettings;
import dev.kata.workspace.ProgressStore;
import dev.kata.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * What a session works with, gathered by {@link SessionLauncher} from the command line's context
 * (or by a test): the catalog, the workspace and its progress, the environment, and a way to run
 * the command line's own commands from the {@code :} prompt.
 *
 * @param color    whether to colour (off with NO_COLOR, --no-color, or a dumb terminal)
 * @param commands runs {@code kata ARGS...} in-process with the given streams, for the prompt
 * @param commandLine the command line's model, for tab completion at the prompt
 */
public record SessionSetup(
        Catalog catalog,
        Workspace workspace,
        Supplier<ProgressStore> progress,
        Clock clock,
        Path cwd,
        Map<String, String> env,
        GraderSettings graderSettings,
        boolean color,
        Commands commands,
        Supplier<CommandLine> commandLine) {

    /**
     * Runs one command line of the tutor, as {@code kata ARGS...} would, writing to the given
     * streams, wrapping its text at {@code columns} (the session's width).
     */
    @FunctionalInterface
    public interface Commands {
        int run(List<String> args, int columns, PrintWriter out, PrintWriter err);
    }
}
