package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.render.Style;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/** Entry point: builds the command line and turns every failure into a short message and an exit code. */
public final class Main {
    public static final int PASS = 0;
    public static final int FAIL = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL_ERROR = 3;
    /** The check could not tell whether the code is right (a saturated machine, a JVM killed from outside): run it again. */
    public static final int INCONCLUSIVE = 4;
    /** Stopped by the user (Ctrl-C), as a shell reports SIGINT. */
    public static final int CANCELLED = 130;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Launch.system(), args));
    }

    public static int run(Launch launch, String... args) {
        try {
            return commandLine(launch, Subcommands.neededFor(args)).execute(args);
        } finally {
            launch.out().flush();
            launch.err().flush();
        }
    }

    /** The whole command line, every subcommand in it (the session's prompt runs any of them). */
    public static CommandLine commandLine(Launch launch) {
        return commandLine(launch, List.copyOf(Subcommands.ALL.values()));
    }

    private static CommandLine commandLine(Launch launch, List<Class<?>> subcommands) {
        CommandLine commandLine = new CommandLine(new KataCommand(launch));
        subcommands.forEach(commandLine::addSubcommand);
        boolean color = Style.detect(Style.ColorMode.AUTO, launch.env(), launch.stdoutTerminal()).color();
        commandLine.setColorScheme(Help.defaultColorScheme(color ? Help.Ansi.ON : Help.Ansi.OFF));
        commandLine.setUsageHelpAutoWidth(true);
        UnbrokenHelp.install(commandLine);
        commandLine.setOut(launch.out());
        commandLine.setErr(launch.err());
        commandLine.setExecutionExceptionHandler(new ErrorHandler(launch));
        commandLine.setParameterExceptionHandler(new UsageErrorHandler(launch.err()));
        return commandLine;
    }

    /** Failures while a command runs: the user's mistakes get their message, our bugs a short line. */
    private record ErrorHandler(Launch launch) implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            PrintWriter err = launch.err();
            if (e instanceof KataException) {
                err.println("kata: " + e.getMessage());
                return BAD_INPUT;
            }
            if (e instanceof InterruptedException || e instanceof dev.kata.grader.CheckCancelledException) {
                err.println("kata: cancelled; no result.");
                return CANCELLED;
            }
            err.println("kata: internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            if ("1".equals(launch.env().get("KATA_DEBUG"))) {
                e.printStackTrace(err);
            } else {
                err.println("Your files are safe. Run again with KATA_DEBUG=1 to see the details, and please report it.");
            }
            return INTERNAL_ERROR;
        }
    }

    /** Bad usage: what was wrong in plain words, close matches for a mistyped command, and where to get help. */
    private record UsageErrorHandler(PrintWriter err) implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException e, String[] args) {
            CommandLine commandLine = e.getCommandLine();
            String name = commandLine.getCommandSpec().qualifiedName();
            err.println("kata: " + UsageErrors.describe(e));
            err.println("Try `" + name + " --help`.");
            return BAD_INPUT;
        }
    }
}
