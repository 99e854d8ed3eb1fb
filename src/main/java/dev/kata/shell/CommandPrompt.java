package dev.kata.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.shell.jline3.PicocliJLineCompleter;

/**
 * The {@code :} (or {@code /}) line of the session: any command of the command line, with JLine's
 * line editing, a history kept in the workspace ({@code .kata/history}) and tab completion of
 * commands, options and kata ids (the ids of the pack the workspace uses).
 */
final class CommandPrompt {
    private final Terminal terminal;
    private final Path historyFile;
    private final Supplier<CommandLine> commandLine;
    private final Supplier<List<String>> kataIds;
    private LineReader reader;

    CommandPrompt(Terminal terminal, Path historyFile, Supplier<CommandLine> commandLine, Supplier<List<String>> kataIds) {
        this.terminal = terminal;
        this.historyFile = historyFile;
        this.commandLine = commandLine;
        this.kataIds = kataIds;
    }

    /** The words of the line typed after the prompt; empty when the learner cancelled (Esc-less: Ctrl-C, Ctrl-D, an empty line). */
    List<String> read(String prompt) {
        LineReader lines = reader();
        try {
            lines.readLine(prompt);
            return new ArrayList<>(lines.getParsedLine().words().stream().filter(w -> !w.isEmpty()).toList());
        } catch (UserInterruptException | EndOfFileException e) {
            return List.of();
        }
    }

    private LineReader reader() {
        if (reader == null) {
            reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("kata")
                    .completer(completer())
                    .variable(LineReader.HISTORY_FILE, historyFile)
                    .variable(LineReader.HISTORY_SIZE, 500)
                    .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
        }
        return reader;
    }

    private Completer completer() {
        CommandSpec spec = commandLine.get().getCommandSpec();
        Completer picocli = new PicocliJLineCompleter(spec);
        Set<String> takesId = commandsTakingAnId(spec);
        return (lineReader, line, candidates) -> {
            List<String> words = line.words();
            if (line.wordIndex() == 1 && !words.isEmpty() && takesId.contains(words.get(0))
                    && !line.word().startsWith("-")) {
                for (String id : kataIds.get()) {
                    candidates.add(new Candidate(id));
                }
                return;
            }
            picocli.complete(lineReader, line, candidates);
        };
    }

    /** The subcommands whose first parameter is a kata id. */
    static Set<String> commandsTakingAnId(CommandSpec spec) {
        Set<String> names = new TreeSet<>();
        spec.subcommands().forEach((name, sub) -> {
            List<PositionalParamSpec> params = sub.getCommandSpec().positionalParameters();
            if (!params.isEmpty() && "ID".equals(params.get(0).paramLabel())) {
                names.add(name);
            }
        });
        return names;
    }
}
