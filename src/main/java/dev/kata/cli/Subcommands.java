package dev.kata.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.HelpCommand;

/**
 * The root command's subcommands, and which of them a command line needs. picocli reads every
 * registered command's annotations up front, about 75 ms of a cold start for all of them (one
 * core, measured); a command line that names its subcommand only needs that one. Anything else (no subcommand, a
 * mistyped one, {@code help} or {@code completion}, which describe the others, an {@code @file}
 * of arguments) gets them all, so usage, suggestions and help read as before.
 */
final class Subcommands {
    /** In the order the help lists them. */
    static final Map<String, Class<?>> ALL = all();

    private static final List<String> NEED_ALL = List.of("help", "completion");
    /** Root options that take a value as the next argument. */
    private static final List<String> ROOT_OPTIONS_WITH_VALUE = List.of("-w", "--workspace");

    private Subcommands() {
    }

    private static Map<String, Class<?>> all() {
        Map<String, Class<?>> all = new LinkedHashMap<>();
        all.put("init", InitCommand.class);
        all.put("list", ListCommand.class);
        all.put("start", StartCommand.class);
        all.put("path", PathCommand.class);
        all.put("check", CheckCommand.class);
        all.put("hint", HintCommand.class);
        all.put("reset", ResetCommand.class);
        all.put("solution", SolutionCommand.class);
        all.put("progress", ProgressCommand.class);
        all.put("validate", ValidateCommand.class);
        all.put("new", NewCommand.class);
        all.put("report", ReportCommand.class);
        all.put("completion", CompletionCommand.class);
        all.put("help", HelpCommand.class);
        return all;
    }

    /** The subcommands a run with {@code args} needs: the one it names, else all of them. */
    static List<Class<?>> neededFor(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (ROOT_OPTIONS_WITH_VALUE.contains(arg)) {
                i++;
            } else if (arg.startsWith("@") || arg.equals("--")) {
                break;
            } else if (!arg.startsWith("-")) {
                Class<?> named = ALL.get(arg);
                return named == null || NEED_ALL.contains(arg) ? List.copyOf(ALL.values()) : List.of(named);
            }
        }
        return List.copyOf(ALL.values());
    }
}
