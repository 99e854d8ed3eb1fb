package dev.kata.shell;

/**
 * One key press as the session sees it: a printable character ({@code 'h'}, {@code ':'}) or a
 * named special key (arrows, page keys, Enter, Escape, Ctrl-C, Ctrl-L).
 */
record Key(Special special, char ch) {
    enum Special { NONE, UP, DOWN, LEFT, RIGHT, PAGE_UP, PAGE_DOWN, HOME, END, ENTER, ESCAPE, CTRL_C, CTRL_L, EOF }

    static Key of(char ch) {
        return new Key(Special.NONE, ch);
    }

    static Key of(Special special) {
        return new Key(special, '\0');
    }

    boolean is(char c) {
        return special == Special.NONE && ch == c;
    }

    @Override
    public String toString() {
        return special == Special.NONE ? String.valueOf(ch) : special.name();
    }
}
