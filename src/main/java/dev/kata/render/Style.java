package dev.kata.render;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jline.jansi.Ansi;

/**
 * Colour on or off, and the few looks the tutor uses. Colour is off when {@code NO_COLOR} is set to
 * a non-empty value (no-color.org: an empty one does not count), when {@code TERM=dumb}, when stdout
 * is not a terminal, or with {@code --no-color}; {@code --color} turns it on whatever else holds.
 * The marks are ASCII when the locale's charset is not UTF-8, as in the session ({@link Glyphs}).
 */
public final class Style {
    public enum ColorMode { AUTO, ALWAYS, NEVER }

    public static final String NO_COLOR = "NO_COLOR";
    public static final String TTY_ENV = "KATA_STDOUT_TTY";

    private static final Style PLAIN = new Style(false, true);
    private static final Style COLORED = new Style(true, true);
    private static final Style PLAIN_ASCII = new Style(false, false);
    private static final Style COLORED_ASCII = new Style(true, false);

    private final boolean color;
    private final boolean unicode;

    private Style(boolean color, boolean unicode) {
        this.color = color;
        this.unicode = unicode;
    }

    public static Style plain() {
        return PLAIN;
    }

    public static Style colored() {
        return COLORED;
    }

    /** Colour as above; the marks from the locale alone, never from whether stdout is a terminal. */
    public static Style detect(ColorMode mode, Map<String, String> env, boolean stdoutIsTerminal) {
        boolean color = switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> !(noColorAsked(env) || "dumb".equals(env.get("TERM")) || !stdoutIsTerminal);
        };
        if (Glyphs.unicode(env)) {
            return color ? COLORED : PLAIN;
        }
        return color ? COLORED_ASCII : PLAIN_ASCII;
    }

    private static boolean noColorAsked(Map<String, String> env) {
        String value = env.get(NO_COLOR);
        return value != null && !value.isEmpty();
    }

    /**
     * Whether stdout is a terminal: {@code KATA_STDOUT_TTY=1|0} from the launcher wins (a JVM
     * started by a script cannot always tell); else the JVM's console, which on JDK 22+ exists
     * even when redirected, so there {@code Console.isTerminal()} decides.
     */
    public static boolean stdoutIsTerminal(Map<String, String> env) {
        String fromLauncher = env.get(TTY_ENV);
        if ("1".equals(fromLauncher)) {
            return true;
        }
        if ("0".equals(fromLauncher)) {
            return false;
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 21: a console exists only when attached to a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    public boolean color() {
        return color;
    }

    public String bold(String text) {
        return paint(text, a -> a.bold());
    }

    /** Markdown's *emphasis*: italic in colour, the bare words when plain. */
    public String italic(String text) {
        return paint(text, a -> a.a(Ansi.Attribute.ITALIC));
    }

    public String dim(String text) {
        return paint(text, a -> a.a(Ansi.Attribute.INTENSITY_FAINT));
    }

    public String red(String text) {
        return paint(text, Ansi::fgRed);
    }

    public String green(String text) {
        return paint(text, Ansi::fgGreen);
    }

    public String yellow(String text) {
        return paint(text, Ansi::fgYellow);
    }

    public String cyan(String text) {
        return paint(text, Ansi::fgCyan);
    }

    public String heading(String text) {
        return paint(text, a -> a.bold().fgCyan());
    }

    /** Text that names code: coloured, or between backticks when plain so it still stands out. */
    public String code(String text) {
        return color ? cyan(text) : "`" + text + "`";
    }

    /** Marks ({@code ✔ ▸ · →}) as this locale can show them: themselves, or their ASCII forms. */
    public String marks(String text) {
        return unicode ? text : Glyphs.ascii(text);
    }

    public String passMark() {
        return green(marks("✔"));
    }

    public String failMark() {
        return red(marks("✘"));
    }

    /** For a check the tutor could not judge (see {@code Status.INCONCLUSIVE}). */
    public String unsureMark() {
        return paint("?", a -> a.bold().fgYellow());
    }

    private String paint(String text, UnaryOperator<Ansi> look) {
        if (!color || text.isEmpty()) {
            return text;
        }
        return look.apply(new Ansi()).a(text).reset().toString();
    }
}
