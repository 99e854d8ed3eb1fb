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
}
