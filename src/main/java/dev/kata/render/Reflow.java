package dev.kata.render;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;

/**
 * Markdown text filled to the terminal's width: {@link #paragraphs} joins the hard-wrapped lines of
 * each paragraph (and list item) into one line, instead of breaking the author's lines again;
 * headings, code blocks, indented code, list items and blank lines keep their own lines.
 * {@link #wrap} then breaks the rendered lines at the width.
 */
public final class Reflow {
    private static final Pattern ITEM = Pattern.compile("^\\s*([-*+]|\\d+[.)])\\s+.*");
    private static final Pattern HANGING = Pattern.compile("\\s*([-*+•]|\\d+[.)])\\s+");

    private Reflow() {
    }

    public static String paragraphs(String markdown) {
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

    /** Word-wraps ANSI text to {@code width} columns, keeping each line's indentation on its continuation. */
    public static List<String> wrap(List<String> ansiLines, int width) {
        List<String> out = new ArrayList<>();
        for (String raw : ansiLines) {
            AttributedString line = AttributedString.fromAnsi(raw);
            if (line.columnLength() <= width) {
                out.add(raw);
                continue;
            }
            String plain = line.toString();
            int indent = 0;
            while (indent < plain.length() && plain.charAt(indent) == ' ' && indent < width / 2) {
                indent++;
            }
            // A list item's lines go on under its text: "- item" and "1. item" hang.
            java.util.regex.Matcher item = HANGING.matcher(plain);
            if (item.lookingAt() && item.end() < width / 2) {
                indent = item.end();
            }
            int start = 0;
            boolean first = true;
            while (start < plain.length()) {
                int room = width - (first ? 0 : indent);
                int end = Math.min(plain.length(), start + room);
                if (end < plain.length()) {
                    int space = plain.lastIndexOf(' ', end);
                    if (space > start) {
                        end = space;
                    }
                }
                AttributedStringBuilder piece = new AttributedStringBuilder();
                if (!first) {
                    piece.append(" ".repeat(indent));
                }
                piece.append(line.subSequence(start, end));
                out.add(piece.toAnsi());
                start = end;
                while (start < plain.length() && plain.charAt(start) == ' ') {
                    start++;
                }
                first = false;
            }
        }
        return out;
    }
}
