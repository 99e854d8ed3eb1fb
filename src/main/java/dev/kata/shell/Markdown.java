package dev.kata.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Joins the hard-wrapped lines of each Markdown paragraph (and list item) into one line, so that
 * the session can wrap the text to the terminal's width instead of breaking the author's lines
 * again. Headings, code blocks, indented code, list items and blank lines keep their own lines.
 */
final class Markdown {
    private static final Pattern ITEM = Pattern.compile("^\\s*([-*+]|\\d+[.)])\\s+.*");

    private Markdown() {
    }

    static String reflow(String markdown) {
        List<String> out = new ArrayList<>();
        boolean inCode = false;
        boolean open = false; // the last line of out is a paragraph or item that may go on
        for (String line : markdown.split("\\R", -1)) {
            String stripped = line.strip();
            if (stripped.startsWith("```")) {
                inCode = !inCode;
                out.add(line);
                open = false;
                continue;
            }
            if (inCode || stripped.isEmpty() || stripped.startsWith("#") || line.startsWith("    ") || line.startsWith("\t")
                    || stripped.startsWith("|") || stripped.startsWith(">")) {
                out.add(line);
                open = false;
                continue;
            }
            if (ITEM.matcher(line).matches()) {
                out.add(line);
                open = true;
                continue;
            }
            if (open) {
                int last = out.size() - 1;
                out.set(last, out.get(last).stripTrailing() + " " + stripped);
            } else {
                out.add(line);
                open = true;
            }
        }
        return String.join("\n", out);
    }
}
