package dev.kata.render;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markdown (story, hints, solution notes) for a terminal: headings stand out, code blocks are
 * indented, inline code, bold and emphasis are styled (emphasis loses its stars when plain),
 * everything else is left as written.
 */
public final class StoryText {
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE =
            Pattern.compile("`([^`]+)`|\\*\\*([^*]+)\\*\\*|(?<![\\w*])\\*([^*\\s](?:[^*]*[^*\\s])?)\\*(?![\\w*])");

    private final Style style;

    public StoryText(Style style) {
        this.style = style;
    }

    public String render(String markdown) {
        List<String> out = new ArrayList<>();
        boolean inCode = false;
        for (String line : markdown.strip().split("\\R", -1)) {
            if (line.strip().startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (inCode) {
                out.add(line.isBlank() ? "" : "    " + style.cyan(line));
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String title = heading.group(2);
                out.add(heading.group(1).length() == 1 ? style.heading(title) : style.bold(title));
                continue;
            }
            out.add(inline(line));
        }
        return String.join("\n", out) + "\n";
    }

    private String inline(String line) {
        Matcher m = INLINE.matcher(line);
        StringBuilder result = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) != null ? style.code(m.group(1))
                    : m.group(2) != null ? style.bold(m.group(2)) : style.italic(m.group(3));
            m.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(result);
        return result.toString();
    }
}
