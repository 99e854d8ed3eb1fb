package dev.kata.cli;

import dev.kata.catalog.Suggestions;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Picocli's parse errors in the learner's words. Its raw "Unmatched argument at index N" counts
 * from an argument list the learner never typed (the session's {@code :} prompt adds to it), and
 * its own suggestions rank commands by shared letters, so {@code lsit} got {@code init}.
 */
final class UsageErrors {
    private UsageErrors() {
    }

    static String describe(ParameterException e) {
        if (!(e instanceof UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return e.getMessage();
        }
        CommandLine commandLine = e.getCommandLine();
        String word = unmatched.getUnmatched().get(0);
        String name = commandLine.getCommandSpec().qualifiedName();
        if (word.startsWith("-")) {
            return "`" + name + "` has no option " + word + closest(word, commandLine.getCommandSpec().optionsMap().keySet());
        }
        if (!commandLine.getSubcommands().isEmpty()) {
            return "'" + word + "' is not a " + name + " command" + closest(word, commandLine.getSubcommands().keySet());
        }
        List<String> rest = unmatched.getUnmatched();
        return "`" + name + "` does not take " + (rest.size() == 1 ? "the argument '" + word + "'"
                : "the arguments '" + String.join("' '", rest) + "'") + ".";
    }

    private static String closest(String typed, java.util.Collection<String> names) {
        // One edit per four letters typed: "lsit" finds list, "frobnicate" finds nothing.
        List<String> close = Suggestions.fewestEdits(typed, names, Math.max(1, typed.length() / 4));
        if (close.isEmpty()) {
            return ".";
        }
        return close.size() == 1 ? ". Did you mean '" + close.get(0) + "'?"
                : ". Did you mean one of: " + String.join(", ", close) + "?";
    }
}
