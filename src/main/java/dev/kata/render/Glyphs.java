package dev.kata.render;

import java.util.Locale;
import java.util.Map;

/**
 * The marks of the session and the command line in ASCII for a terminal whose charset is not UTF-8
 * (the C or POSIX locale of many containers), where they would show as {@code ?}: a check mark
 * becomes {@code +}, a box {@code #} or {@code .}, a rule {@code -}, the spinner {@code |/-\}.
 */
public final class Glyphs {
    private static final String SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    private static final String TURN = "|/-\\";

    private Glyphs() {
    }

    /** Whether the locale's charset is UTF-8: the first of LC_ALL, LC_CTYPE, LANG that is set decides. */
    public static boolean unicode(Map<String, String> env) {
        for (String name : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String value = env.get(name);
            if (value != null && !value.isEmpty()) {
                String v = value.toLowerCase(Locale.ROOT);
                return v.contains("utf-8") || v.contains("utf8");
            }
        }
        return false;
    }

    /** The text with every mark the session uses in ASCII, and any other non-ASCII character as {@code ?}. */
    public static String ascii(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 128) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            int spin = SPINNER.indexOf(c);
            if (spin >= 0) {
                out.append(TURN.charAt(spin % TURN.length()));
                continue;
            }
            out.append(switch (c) {
                case '✔', '✓' -> "+";
                case '✘', '✗' -> "x";
                case '■' -> "#";
                case '□' -> ".";
                case '─', '━', '–', '—' -> "-";
                case '│' -> "|";
                case '…' -> "...";
                case '·', '•' -> "*";
                case '✎', '▸' -> ">";
                case '×' -> "x";
                case '↓' -> "v";
                case '↑' -> "^";
                case '→' -> "->";
                case '←' -> "<-";
                case '✦', '✧', '★', '☆' -> "*";
                case '‘', '’' -> "'";
                case '“', '”' -> "\"";
                case '\u00a0' -> " ";
                default -> "?";
            });
        }
        return out == null ? text : out.toString();
    }
}
