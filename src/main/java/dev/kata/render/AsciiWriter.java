package dev.kata.render;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * A writer for a terminal whose charset is not UTF-8: every character goes through
 * {@link Glyphs#ascii}, so the whole of the command line's text (marks, rules, separators, the
 * spinner) reads in ASCII, as the session's does. JSON is already ASCII (non-ASCII is escaped).
 */
public final class AsciiWriter extends FilterWriter {
    public AsciiWriter(Writer out) {
        super(out);
    }

    @Override
    public void write(int c) throws IOException {
        out.write(Glyphs.ascii(String.valueOf((char) c)));
    }

    @Override
    public void write(char[] chars, int off, int len) throws IOException {
        out.write(Glyphs.ascii(new String(chars, off, len)));
    }

    @Override
    public void write(String text, int off, int len) throws IOException {
        out.write(Glyphs.ascii(text.substring(off, off + len)));
    }
}
