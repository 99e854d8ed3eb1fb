package dev.kata.shell;

import java.util.List;
import java.util.function.Supplier;

/**
 * The scrollable middle of the screen: where its lines come from, those lines wrapped to the
 * width (again only when the content or the width changes), and how far it is scrolled.
 */
final class Pane {
    private Supplier<List<String>> source = List::of;
    private List<String> lines = List.of();
    private int width = -1;
    private long version;
    private int scroll;

    /** Shows new content from its top. */
    void show(Supplier<List<String>> next) {
        source = next;
        width = -1;
        scroll = 0;
        version++;
    }

    /** The same content, grown or changed (a running command's output): read again, scrolled as it was. */
    void refresh() {
        width = -1;
        version++;
    }

    /** The content again at the next frame, as after a change of width (nothing new for a dumb terminal). */
    void rewrap() {
        width = -1;
    }

    void scrollBy(int rows) {
        scroll += rows;
    }

    void top() {
        scroll = 0;
    }

    void bottom() {
        scroll = Integer.MAX_VALUE / 2;
    }

    /**
     * The lines wrapped to {@code columns}, reading the content again if needed, with the scroll
     * kept inside them for a window of {@code rows}.
     *
     * @param onError the lines to show when the content cannot be read
     */
    List<String> lines(int columns, int rows, java.util.function.Function<RuntimeException, List<String>> onError) {
        if (width != columns) {
            List<String> raw;
            try {
                raw = source.get();
            } catch (RuntimeException e) {
                raw = onError.apply(e);
            }
            lines = TerminalScreen.wrap(raw, columns);
            width = columns;
        }
        scroll = Math.max(0, Math.min(scroll, lines.size() - rows));
        return lines;
    }

    int scroll() {
        return scroll;
    }

    long version() {
        return version;
    }
}
