package dev.kata.cli;

import java.util.IllegalFormatException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * picocli's help with one change: a path or code token ({@code .kata/backups}, {@code pack.toml}, {@code e.g.}) is
 * never broken at a dot, whatever the width. picocli wraps with Java's line breaker, which may break after a dot that
 * is followed by a letter or digit ({@code under .} / {@code kata/backups}). While the help is laid out such a dot is
 * held as a character the breaker takes for a letter; every finished section gets its dots back. (picocli does the same
 * for dashes; slashes are no break for Java's breaker.)
 */
final class UnbrokenHelp extends Help {
    /** A private-use character: never in our texts, one column wide, a letter to the line breaker. */
    static final char HELD_DOT = '\uE000';
    private static final Pattern INNER_DOT = Pattern.compile("\\.(?=[\\p{L}\\p{N}_])");

    UnbrokenHelp(CommandSpec spec, ColorScheme scheme) {
        super(spec, scheme);
    }

    /** Makes the help of the command and all its subcommands keep their tokens whole. */
    static void install(CommandLine commandLine) {
        commandLine.setHelpFactory(UnbrokenHelp::new);
        Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>(commandLine.getHelpSectionMap());
        sections.replaceAll((key, renderer) -> help -> release(renderer.render(help)));
        commandLine.setHelpSectionMap(sections);
    }

    static String hold(String text) {
        return text == null ? null : INNER_DOT.matcher(text).replaceAll(String.valueOf(HELD_DOT));
    }

    static String[] hold(String[] texts) {
        String[] held = new String[texts.length];
        for (int i = 0; i < texts.length; i++) {
            held[i] = hold(texts[i]);
        }
        return held;
    }

    /** The text with its inner dots held; styles stay where they were. */
    static Ansi.Text hold(Ansi.Text text) {
        Matcher dot = INNER_DOT.matcher(text.plainString());
        if (!dot.find()) {
            return text;
        }
        Ansi.Text held = text.substring(0, 0);
        int from = 0;
        do {
            held = held.concat(text.substring(from, dot.start())).concat(String.valueOf(HELD_DOT));
            from = dot.end();
        } while (dot.find());
        return held.concat(text.substring(from));
    }

    static String release(String text) {
        return text == null ? null : text.replace(HELD_DOT, '.');
    }

    private int width() {
        return commandSpec().usageMessage().width();
    }

    private boolean adjustCjk() {
        return commandSpec().usageMessage().adjustLineBreaksForWideCJKCharacters();
    }

    @Override
    public String description(Object... params) {
        return join(ansi(), width(), adjustCjk(), hold(commandSpec().usageMessage().description()), new StringBuilder(),
                params).toString();
    }

    @Override
    public String header(Object... params) {
        return join(ansi(), width(), adjustCjk(), hold(commandSpec().usageMessage().header()), new StringBuilder(),
                params).toString();
    }

    @Override
    public String footer(Object... params) {
        return join(ansi(), width(), adjustCjk(), hold(commandSpec().usageMessage().footer()), new StringBuilder(),
                params).toString();
    }

    /** The exit code list (and any other two-column list of texts). */
    @Override
    public TextTable createTextTable(Map<?, ?> map) {
        if (map == null) {
            return super.createTextTable(null);
        }
        Map<Object, Object> held = new LinkedHashMap<>();
        map.forEach((key, value) -> held.put(key, hold(String.valueOf(value))));
        return super.createTextTable(held);
    }

    /** As picocli lists the subcommands (name, then the first line of the header or description), with dots held. */
    @Override
    public String commandList(Map<String, Help> subcommands) {
        if (subcommands.isEmpty()) {
            return "";
        }
        int width = width();
        int commandLength = Math.min(subcommands.keySet().stream().mapToInt(String::length).max().orElse(0), width / 2);
        TextTable table = TextTable.forColumns(colorScheme().ansi(),
                new Column(commandLength + 2, 2, Column.Overflow.SPAN),
                new Column(width - (commandLength + 2), 2, Column.Overflow.WRAP));
        table.setAdjustLineBreaksForWideCJKCharacters(adjustCjk());
        for (Help help : subcommands.values()) {
            UsageMessageSpec usage = help.commandSpec().usageMessage();
            String summary = usage.header().length > 0 ? usage.header()[0]
                    : usage.description().length > 0 ? usage.description()[0] : "";
            Ansi.Text[] lines = colorScheme().text(format(hold(summary))).splitLines();
            for (int i = 0; i < lines.length; i++) {
                table.addRowValues(i == 0 ? help.commandNamesText(", ") : colorScheme().text(""), lines[i]);
            }
        }
        return table.toString();
    }

    @Override
    public IOptionRenderer createDefaultOptionRenderer() {
        IOptionRenderer renderer = super.createDefaultOptionRenderer();
        return (option, labels, scheme) -> holdDescriptions(renderer.render(option, labels, scheme));
    }

    @Override
    public IParameterRenderer createDefaultParameterRenderer() {
        IParameterRenderer renderer = super.createDefaultParameterRenderer();
        return (parameter, labels, scheme) -> holdDescriptions(renderer.render(parameter, labels, scheme));
    }

    /** The description is the last column of an option's or a parameter's rows. */
    private static Ansi.Text[][] holdDescriptions(Ansi.Text[][] rows) {
        for (Ansi.Text[] row : rows) {
            if (row.length > 0) {
                row[row.length - 1] = hold(row[row.length - 1]);
            }
        }
        return rows;
    }

    /** As picocli formats a summary line: printf-style, or as it is when it is no format. */
    private static String format(String text) {
        try {
            return String.format(text);
        } catch (IllegalFormatException e) {
            return text;
        }
    }
}
