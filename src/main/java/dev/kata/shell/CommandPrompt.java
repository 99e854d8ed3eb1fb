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
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Attributes;
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
    private static final String LEAVE = "kata-leave-prompt";

    CommandPrompt(Terminal terminal, Path historyFile, Supplier<CommandLine> commandLine, Supplier<List<String>> kataIds) {
        this.terminal = terminal;
        this.historyFile = historyFile;
        this.commandLine = commandLine;
        this.kataIds = kataIds;
    }

    /** What {@link #read} says, dimmed, at the right of the line while there is room. */
    static final String HOW = "Enter runs, Tab completes, Esc leaves";

    /**
     * The words of the line typed after the prompt; empty when the learner left it (Esc, Ctrl-C,
     * Ctrl-D, an empty line). The session keeps Ctrl-C from raising SIGINT (see {@link Session});
     * here it does again, as JLine's line editor expects.
     */
    List<String> read(String prompt, String rightPrompt) {
        LineReader lines = reader();
        Attributes before = terminal.getAttributes();
        Attributes editing = new Attributes(before);
        editing.setControlChar(Attributes.ControlChar.VINTR, 3);
        terminal.setAttributes(editing);
        left = false;
        try {
            lines.readLine(prompt, rightPrompt, (Character) null, null);
            return left ? List.of()
                    : new ArrayList<>(lines.getParsedLine().words().stream().filter(w -> !w.isEmpty()).toList());
        } catch (UserInterruptException | EndOfFileException e) {
            return List.of();
        } finally {
            terminal.setAttributes(before);
        }
    }

    private boolean left;

    private LineReader reader() {
        if (reader == null) {
            LineReaderBuilder builder = LineReaderBuilder.builder();
            if (writable(historyFile)) {
                // A workspace that cannot be written keeps the history in memory only: JLine would
                // log each failed save over the screen.
                builder.variable(LineReader.HISTORY_FILE, historyFile);
            }
            reader = builder
                    .terminal(terminal)
                    .appName("kata")
                    .completer(completer())
                    .variable(LineReader.HISTORY_SIZE, 500)
                    .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    // Esc alone leaves the prompt; an arrow key's sequence (Esc [ A) comes well within this.
                    .variable(LineReader.AMBIGUOUS_BINDING, 150L)
                    .build();
            reader.getWidgets().put(LEAVE, () -> {
                left = true;
                reader.getBuffer().clear();
                reader.callWidget(LineReader.ACCEPT_LINE);
                return true;
            });
            reader.getKeyMaps().get(LineReader.MAIN).bind(new Reference(LEAVE), "\033");
        }
        return reader;
    }

    static boolean writable(Path file) {
        return java.nio.file.Files.isWritable(file.getParent())
                && (!java.nio.file.Files.exists(file) || java.nio.file.Files.isWritable(file));
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
