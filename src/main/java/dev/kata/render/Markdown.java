package dev.kata.render;

import java.util.List;

/** GitHub-flavoured Markdown pieces: table rows whose cells cannot break the table or turn into markup. */
final class Markdown {
    private Markdown() {
    }

    /** Text as one table cell: one line, pipes and markup characters escaped. */
    static String cell(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (char c : text.replaceAll("\\s*\\R\\s*", " ").toCharArray()) {
            switch (c) {
                case '|', '\\', '`', '*', '_', '[', ']', '#' -> out.append('\\').append(c);
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> {
                    if (c >= 0x20 && c != 0x7f) {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString().strip();
    }

    /** Cells already escaped (or trusted) joined into a row. */
    static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    /** The line under a table's header; {@code right} marks numeric columns. */
    static String rule(List<Boolean> right) {
        return "|" + String.join("|", right.stream().map(r -> r ? "---:" : "---").toList()) + "|\n";
    }

    /**
     * The gist of a long message for a table cell or a list item: its first sentence,
     * cut at a word near {@code max} characters with an ellipsis. Not escaped.
     */
    static String gist(String text, int max) {
        String flat = text.strip().replaceAll("\\s*\\R\\s*", " ");
        int end = flat.length();
        java.util.regex.Matcher sentence = java.util.regex.Pattern.compile("[.!?](\\s|$)").matcher(flat);
        if (sentence.find() && sentence.start() > 0) {
            end = sentence.start() + 1;
        }
        String first = flat.substring(0, end);
        if (first.length() <= max) {
            return first;
        }
        int cut = first.lastIndexOf(' ', max - 1);
        return first.substring(0, cut > max / 2 ? cut : max - 1).replaceAll("[\\s,;:]+$", "") + "…";
    }

    /** Whether {@link #gist} leaves anything out. */
    static boolean shortened(String text, int max) {
        return !gist(text, max).equals(text.strip().replaceAll("\\s*\\R\\s*", " "));
    }

    /** Text as a Markdown paragraph: each line escaped as a cell is, the line breaks kept. */
    static String paragraph(String text) {
        return text.strip().lines().map(Markdown::cell).collect(java.util.stream.Collectors.joining("  \n")) + "\n";
    }

    /**
     * The anchor GitHub (and most renderers) give a heading: lower case, punctuation dropped,
     * spaces as hyphens; {@code taken} holds those given so far, a repeat gets {@code -1}, {@code -2}...
     */
    static String anchor(String heading, java.util.Set<String> taken) {
        String base = heading.strip().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        String slug = base;
        for (int n = 1; !taken.add(slug); n++) {
            slug = base + "-" + n;
        }
        return slug;
    }
}
