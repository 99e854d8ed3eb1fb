package dev.kata.shell;

import dev.kata.render.Glyphs;
import dev.kata.render.Reflow;
import java.util.ArrayList;
import java.util.List;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp.Capability;

/**
 * Puts frames on the terminal. On a capable terminal: full screen, on the alternate screen (the
 * learner's scrollback is left alone and comes back on quit), only changed rows are rewritten.
 * On a dumb terminal: plain lines, the body again only when it changed, then the status.
 */
abstract class TerminalScreen implements AutoCloseable {
    static final int MIN_WIDTH = 20;

    protected final Terminal terminal;
    /** False when the terminal's charset is not UTF-8: every line goes out in ASCII ({@link Glyphs}). */
    private boolean unicode = true;

    TerminalScreen(Terminal terminal) {
        this.terminal = terminal;
    }

    static TerminalScreen of(Terminal terminal, boolean color) {
        return of(terminal, color, true);
    }

    static TerminalScreen of(Terminal terminal, boolean color, boolean unicode) {
        TerminalScreen screen = isDumb(terminal) ? new Lines(terminal) : new Full(terminal, color);
        screen.unicode = unicode;
        return screen;
    }

    /** A frame's texts as this terminal can show them. */
    protected Frame glyphs(Frame f) {
        if (unicode) {
            return f;
        }
        return new Frame(Glyphs.ascii(f.title()), Glyphs.ascii(f.progress()),
                f.body().stream().map(Glyphs::ascii).toList(), f.scroll(), f.bodyVersion(), Glyphs.ascii(f.status()),
                f.statusAnimated(), Glyphs.ascii(f.file()), Glyphs.ascii(f.keys()));
    }

    protected String glyphs(String line) {
        return unicode ? line : Glyphs.ascii(line);
    }

    static boolean isDumb(Terminal terminal) {
        String type = terminal.getType();
        return type == null || type.startsWith(Terminal.TYPE_DUMB) || terminal.getStringCapability(Capability.cursor_address) == null;
    }

    int width() {
        int cols = terminal.getWidth();
        return cols <= 0 ? 80 : Math.max(MIN_WIDTH, cols);
    }

    int height() {
        int rows = terminal.getHeight();
        return rows <= 0 ? 24 : Math.max(3, rows);
    }

    /** How many body lines fit under the header and above the footer. */
    int bodyRows() {
        return Math.max(1, height() - Full.CHROME);
    }

    abstract void show(Frame frame);

    /** Forget what is on the screen: the next frame is drawn whole (after a resize, a prompt, an editor). */
    abstract void invalidate();

    /** Gives the terminal to someone else (the editor): normal screen, cursor shown. */
    abstract void suspend();

    /** Takes the terminal back after {@link #suspend()}. */
    abstract void resume();

    /** Puts the cursor on the bottom row, cleared, for the command prompt. */
    abstract void prepareBottomLine();

    @Override
    public abstract void close();

    /** Fits a line of ANSI text to {@code width} columns, cut with an ellipsis. */
    static AttributedString fit(String ansi, int width) {
        return fit(ansi, width, "…");
    }

    /** Fits a line to {@code width} columns, cut with {@code ellipsis} (whose own width is counted). */
    static AttributedString fit(String ansi, int width, String ellipsis) {
        AttributedString line = AttributedString.fromAnsi(ansi == null ? "" : ansi);
        if (line.columnLength() <= width) {
            return line;
        }
        AttributedStringBuilder cut = new AttributedStringBuilder();
        cut.append(line.columnSubSequence(0, Math.max(0, width - ellipsis.length())));
        cut.append(ellipsis);
        return cut.toAttributedString();
    }

    /** The mark of a cut, as this terminal shows it. */
    protected String ellipsis() {
        return unicode ? "…" : "...";
    }

    /** The first of {@code lines} (longest wording first) that fits {@code width} columns, else the last. */
    static String firstFitting(int width, String... lines) {
        for (String line : lines) {
            if (AttributedString.fromAnsi(line).columnLength() <= width) {
                return line;
            }
        }
        return lines[lines.length - 1];
    }

    /** Word-wraps ANSI text to {@code width} columns (see {@link Reflow#wrap}). */
    static List<String> wrap(List<String> ansiLines, int width) {
        return Reflow.wrap(ansiLines, width);
    }

    static String rule(int width, String label) {
        if (label == null || label.isEmpty()) {
            return "─".repeat(width);
        }
        String text = "── " + label + " ";
        return text + "─".repeat(Math.max(0, width - text.length()));
    }

    /** Full screen on the alternate screen, rewriting only the rows that changed. */
    static final class Full extends TerminalScreen {
        /** Rows taken by the header (title, rule) and the footer (rule, status, file, keys). */
        static final int CHROME = 6;

        private final List<String> shown = new ArrayList<>();
        private Size shownSize;
        private final boolean color;
        private boolean active;

        Full(Terminal terminal, boolean color) {
            super(terminal);
            this.color = color;
            enter();
        }

        private void enter() {
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.keypad_xmit);
            terminal.puts(Capability.cursor_invisible);
            terminal.puts(Capability.clear_screen);
            terminal.flush();
            active = true;
            shown.clear();
        }

        @Override
        void show(Frame shownFrame) {
            if (!active) {
                return;
            }
            Frame frame = glyphs(shownFrame);
            int width = width();
            int height = height();
            Size size = new Size(width, height);
            if (!size.equals(shownSize)) {
                shownSize = size;
                terminal.puts(Capability.clear_screen);
                shown.clear();
            }
            List<String> rows = layout(frame, width, height);
            for (int row = 0; row < rows.size(); row++) {
                String line = glyphs(rows.get(row));
                if (row < shown.size() && shown.get(row).equals(line)) {
                    continue;
                }
                terminal.puts(Capability.cursor_address, row, 0);
                terminal.writer().write(line);
                terminal.puts(Capability.clr_eol);
            }
            shown.clear();
            shown.addAll(rows);
            terminal.flush();
        }

        /** The rows of the screen, each already fitted to the width (one column spare: no auto-wrap). */
        private List<String> layout(Frame frame, int width, int height) {
            int usable = width - 1;
            List<String> rows = new ArrayList<>();
            rows.add(titleLine(frame, usable));
            rows.add(dim(glyphs(rule(usable, null))));
            int bodyRows = Math.max(1, height - CHROME);
            List<String> body = frame.body();
            for (int i = 0; i < bodyRows; i++) {
                int index = frame.scroll() + i;
                rows.add(index < body.size() ? fit(body.get(index), usable, ellipsis()).toAnsi() : "");
            }
            int below = body.size() - frame.scroll() - bodyRows;
            String more = below > 0 ? "↓ " + below + " more (space, ↓)" : frame.scroll() > 0 ? "↑ top: g" : null;
            rows.add(dim(glyphs(rule(usable, more))));
            rows.add(fit(frame.status(), usable, ellipsis()).toAnsi());
            rows.add(fit(frame.file(), usable, ellipsis()).toAnsi());
            rows.add(fit(frame.keys(), usable, ellipsis()).toAnsi());
            if (rows.size() > height) {
                // A tiny window: the title and the footer, as much as fits.
                List<String> small = new ArrayList<>(List.of(rows.get(0)));
                small.addAll(rows.subList(rows.size() - 3, rows.size()));
                return small.subList(Math.max(0, small.size() - height), small.size());
            }
            return rows;
        }

        private String titleLine(Frame frame, int width) {
            AttributedString title = AttributedString.fromAnsi(frame.title());
            AttributedString progress = AttributedString.fromAnsi(frame.progress());
            int gap = width - title.columnLength() - progress.columnLength();
            if (gap < 2) {
                return fit(frame.title(), width, ellipsis()).toAnsi();
            }
            return new AttributedStringBuilder().append(title).append(" ".repeat(gap)).append(progress)
                    .toAttributedString().toAnsi();
        }

        private String dim(String text) {
            if (!color) {
                return text;
            }
            return new AttributedString(text, AttributedStyle.DEFAULT.faint()).toAnsi();
        }

        @Override
        void invalidate() {
            shownSize = null;
            shown.clear();
        }

        @Override
        void suspend() {
            terminal.puts(Capability.cursor_visible);
            terminal.puts(Capability.keypad_local);
            terminal.puts(Capability.exit_ca_mode);
            terminal.flush();
            active = false;
        }

        @Override
        void resume() {
            enter();
            invalidate();
        }

        @Override
        void prepareBottomLine() {
            terminal.puts(Capability.cursor_address, height() - 1, 0);
            terminal.puts(Capability.clr_eol);
            terminal.puts(Capability.cursor_visible);
            terminal.flush();
            invalidate();
        }

        @Override
        public void close() {
            if (active) {
                suspend();
            }
        }
    }

    /** A dumb terminal: no cursor moves, so lines are printed as they come. */
    static final class Lines extends TerminalScreen {
        private long shownBody = -1;
        private String shownStatus;
        private String shownFile;

        Lines(Terminal terminal) {
            super(terminal);
        }

        @Override
        int bodyRows() {
            return Integer.MAX_VALUE / 2;
        }

        @Override
        void show(Frame shownFrame) {
            Frame frame = glyphs(shownFrame);
            int width = width() - 1;
            StringBuilder out = new StringBuilder();
            if (frame.bodyVersion() != shownBody) {
                shownBody = frame.bodyVersion();
                out.append('\n').append(plain(frame.title())).append("   ").append(plain(frame.progress())).append('\n');
                out.append(glyphs(rule(Math.min(width, 60), null))).append('\n');
                for (String line : frame.body()) {
                    out.append(plain(line)).append('\n');
                }
                out.append(glyphs(rule(Math.min(width, 60), null))).append('\n');
                shownStatus = null;
                shownFile = null;
            }
            if (!frame.statusAnimated() && !frame.status().equals(shownStatus)) {
                shownStatus = frame.status();
                if (!frame.status().isBlank()) {
                    out.append(plain(frame.status())).append('\n');
                }
            }
            if (!frame.file().equals(shownFile)) {
                shownFile = frame.file();
                out.append(plain(frame.file())).append('\n').append(plain(frame.keys())).append('\n');
            }
            terminal.writer().print(out);
            terminal.flush();
        }

        private static String plain(String ansi) {
            return AttributedString.fromAnsi(ansi).toString();
        }

        @Override
        void invalidate() {
            shownBody = -1;
        }

        @Override
        void suspend() {
        }

        @Override
        void resume() {
            invalidate();
        }

        @Override
        void prepareBottomLine() {
            terminal.writer().println();
            terminal.flush();
        }

        @Override
        public void close() {
            terminal.flush();
        }
    }
}
