package dev.kata.shell;

import java.util.List;

/** What each key does in the session, and the one-line help that names them. */
final class KeyMap {
    enum Action {
        HINT, CHECK, SOLUTION, NEXT, LIST, RESET, EDIT, QUIT, PROMPT, STORY, HELP,
        SCROLL_UP, SCROLL_DOWN, PAGE_UP, PAGE_DOWN, TOP, BOTTOM, REDRAW, YES, NO, INTERRUPT, NONE
    }

    private KeyMap() {
    }

    static Action action(Key key) {
        return switch (key.special()) {
            case UP -> Action.SCROLL_UP;
            case DOWN -> Action.SCROLL_DOWN;
            case PAGE_UP -> Action.PAGE_UP;
            case PAGE_DOWN -> Action.PAGE_DOWN;
            case HOME -> Action.TOP;
            case END -> Action.BOTTOM;
            case CTRL_L -> Action.REDRAW;
            case CTRL_C -> Action.INTERRUPT;
            case EOF -> Action.QUIT;
            case ESCAPE -> Action.NO;
            case NONE -> switch (Character.toLowerCase(key.ch())) {
                case 'h' -> Action.HINT;
                case 'c' -> Action.CHECK;
                case 's' -> Action.SOLUTION;
                case 'n' -> Action.NEXT;
                case 'l' -> Action.LIST;
                case 'r' -> Action.RESET;
                case 'e' -> Action.EDIT;
                case 'q' -> Action.QUIT;
                case ':', '/' -> Action.PROMPT;
                case 't' -> Action.STORY;
                case '?' -> Action.HELP;
                case 'k' -> Action.SCROLL_UP;
                case 'j' -> Action.SCROLL_DOWN;
                case ' ' -> Action.PAGE_DOWN;
                case 'b' -> Action.PAGE_UP;
                case 'g' -> Action.TOP;
                case 'y' -> Action.YES;
                default -> Action.NONE;
            };
            default -> Action.NONE;
        };
    }

    /** Keys after which the session hands the terminal to someone else (a line editor, an editor). */
    static boolean takesTerminal(Key key) {
        Action a = action(key);
        return a == Action.PROMPT || a == Action.EDIT;
    }

    /** The key help line: the keys that make sense now, shortest first when the width is tight. */
    static List<String[]> help(boolean passed) {
        return passed
                ? List.of(new String[] {"n", "next kata"}, new String[] {"s", "solution"}, new String[] {"h", "hint"},
                        new String[] {"c", "check"}, new String[] {"l", "list"}, new String[] {"r", "reset"},
                        new String[] {"e", "edit"}, new String[] {":", "command"}, new String[] {"?", "keys"},
                        new String[] {"q", "quit"})
                : List.of(new String[] {"h", "hint"}, new String[] {"c", "check"}, new String[] {"l", "list"},
                        new String[] {"r", "reset"}, new String[] {"e", "edit"}, new String[] {":", "command"},
                        new String[] {"t", "story"}, new String[] {"?", "keys"}, new String[] {"q", "quit"});
    }

    /** The full list, for {@code ?}. */
    static final List<String[]> ALL = List.of(
            new String[] {"h", "the next hint level (all levels so far are shown)"},
            new String[] {"c", "check now (saving the file checks it too)"},
            new String[] {"s", "the reference solution and why it works (after a pass)"},
            new String[] {"n", "the next kata (after a pass)"},
            new String[] {"l", "the list of katas with their status"},
            new String[] {"r", "reset the file to the starter (asks first; your version is backed up)"},
            new String[] {"e", "open the file in $VISUAL or $EDITOR"},
            new String[] {"t", "the kata's story again"},
            new String[] {": or /", "type any kata command (Tab completes, up/down for history, Esc leaves)"},
            new String[] {"↑ ↓ j k", "scroll one line; space/b or PgDn/PgUp a page; g/Home, End"},
            new String[] {"Ctrl-L", "redraw the screen"},
            new String[] {"Ctrl-C", "stop a running check or : command; when none runs, quit"},
            new String[] {"q", "quit (while a : command runs: stop it)"});
}
