package dev.kata.shell;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewords a command's output for the session it runs in: a command the text suggests
 * ({@code Run `kata hint sum-up` again}) is what the learner types at the {@code :} prompt here
 * ({@code :hint sum-up}), not in a shell.
 */
final class SessionWording {
    /** {@code kata} followed by one of its commands; colour codes may sit around either word. */
    private static final Pattern COMMAND = Pattern.compile(
            "(?:(?<=\\u001b\\[[0-9;]{0,12}m)|(?<![\\w./-]))kata((?:\\u001b\\[[0-9;]*m)*) (check|hint|solution|start|reset|path|list|progress|report|validate|"
                    + "export|init|new|completion|help)\\b");
    /** {@code kata --help}, as a usage error suggests it: the prompt's {@code :help}. */
    private static final Pattern HELP = Pattern.compile(
            "(?:(?<=\\u001b\\[[0-9;]{0,12}m)|(?<![\\w./-]))kata((?:\\u001b\\[[0-9;]*m)*) --help\\b");

    private SessionWording() {
    }

    static String forSession(String output) {
        String text = HELP.matcher(output).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":help"));
        Matcher m = COMMAND.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + ":" + m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
