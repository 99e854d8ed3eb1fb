package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Help at any width keeps a path or code token whole: Java's line breaker would break after a dot that is
 * followed by a letter ({@code under .} / {@code kata/backups}, {@code e.} / {@code g.}).
 */
class HelpWrapTest {
    /** A token a reader copies or reads as one word: a dot, slash or dash inside it. */
    private static final Pattern TOKEN = Pattern.compile("\\S*\\w*[./\\-]\\w\\S*");

    @TempDir
    Path temp;

    @Test
    void resetHelpAtFiftyFiveColumnsKeepsTheBackupFolderWhole() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Main.commandLine(launch(out));
        commandLine.setUsageHelpAutoWidth(false);
        commandLine.setUsageHelpWidth(55);

        assertEquals(0, commandLine.execute("reset", "--help"));
        assertTrue(out.toString().contains(".kata/backups"), out.toString());
        assertTrue(out.toString().lines().allMatch(line -> line.length() <= 55), out.toString());
    }

    @Test
    void noCommandsHelpBreaksATokenAtAnyWidth() {
        CommandLine root = Main.commandLine(launch(new StringWriter()));
        List<CommandLine> commands = new ArrayList<>();
        commands.add(root);
        commands.addAll(root.getSubcommands().values());
        List<String> broken = new ArrayList<>();
        for (CommandLine command : commands) {
            Set<String> tokens = tokens(command.getCommandSpec(), true);
            for (int width = 55; width <= 130; width++) {
                command.setUsageHelpAutoWidth(false);
                command.setUsageHelpWidth(width);
                String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
                Set<String> shown = Set.copyOf(List.of(usage.split("\\s+")));
                for (String token : tokens(command.getCommandSpec(), false)) {
                    if (!shown.contains(token)) {
                        broken.add(command.getCommandSpec().qualifiedName() + " at " + width + " columns: '" + token
                                + "' is not shown as it is written:\n" + usage);
                    }
                }
                List<String> lines = usage.lines().map(String::strip).toList();
                for (int i = 0; i + 1 < lines.size(); i++) {
                    for (String token : tokens) {
                        for (int cut = 1; cut < token.length(); cut++) {
                            String head = token.substring(0, cut);
                            String line = lines.get(i);
                            if ((line.equals(head) || line.endsWith(" " + head))
                                    && lines.get(i + 1).startsWith(token.substring(cut))) {
                                broken.add(command.getCommandSpec().qualifiedName() + " at " + width + " columns: '" + token
                                        + "' is broken:\n  " + line + "\n  " + lines.get(i + 1));
                            }
                        }
                    }
                }
            }
        }
        if (!broken.isEmpty()) {
            fail(broken.size() + " broken tokens, the first ones:\n" + String.join("\n", broken.subList(0, Math.min(8, broken.size()))));
        }
    }

    /** Every token with an inner dot, slash or dash in the texts the command's help shows (with its commands' summaries). */
    private static Set<String> tokens(CommandSpec spec, boolean withSubcommands) {
        List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
        for (ArgSpec arg : spec.args()) {
            if (!arg.hidden()) texts.addAll(List.of(arg.description()));
        }
        texts.addAll(spec.usageMessage().exitCodeList().values());
        for (CommandLine sub : withSubcommands ? spec.subcommands().values() : List.<CommandLine>of()) {
            texts.addAll(List.of(sub.getCommandSpec().usageMessage().description()));
        }
        Set<String> tokens = new LinkedHashSet<>();
        for (String text : texts) {
            Matcher m = TOKEN.matcher(text);
            while (m.find()) {
                tokens.add(m.group());
            }
        }
        return tokens;
    }

    private Launch launch(StringWriter out) {
        return new Launch(new PrintWriter(out), new PrintWriter(new StringWriter()), Map.of(), temp, temp, null, null,
                false, Clock.systemUTC());
    }
}
