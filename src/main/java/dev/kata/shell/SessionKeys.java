package dev.kata.shell;

import dev.kata.render.Style;
import java.util.function.Supplier;

/** What each key does in the session, given what it is doing (a reset waiting for its answer). */
final class SessionKeys {
    private final SessionState state;
    private final SessionActions actions;
    private final Pane pane;
    private final Style style;
    private final Supplier<TerminalScreen> screen;
    private final Runnable interrupt;

    SessionKeys(SessionState state, SessionActions actions, Pane pane, Style style, Supplier<TerminalScreen> screen,
            Runnable interrupt) {
        this.state = state;
        this.actions = actions;
        this.pane = pane;
        this.style = style;
        this.screen = screen;
        this.interrupt = interrupt;
    }

    void key(Key key) {
        KeyMap.Action action = KeyMap.action(key);
        if (state.confirmingReset) {
            state.confirmingReset = false;
            if (action == KeyMap.Action.YES) {
                actions.reset();
            } else {
                state.notice = "Reset cancelled: your file is as it was.";
            }
            return;
        }
        if (state.commandRunning() && !isScroll(action)) {
            if (action == KeyMap.Action.QUIT || action == KeyMap.Action.INTERRUPT) {
                actions.cancelCommand();
            } else if (action != KeyMap.Action.NONE) {
                state.notice = style.yellow(state.command.label() + " is running: ") + "q or Ctrl-C stops it.";
            }
            return;
        }
        if (action != KeyMap.Action.NONE && !isScroll(action)) {
            state.notice = null;
        }
        switch (action) {
            case HINT -> actions.hint();
            case CHECK -> actions.startCheck();
            case SOLUTION -> {
                if (actions.passed()) {
                    actions.show(SessionState.View.SOLUTION);
                } else {
                    state.notice = "The reference solution opens once you pass " + state.kata.id()
                            + ". Stuck? h gives a hint.";
                }
            }
            case NEXT -> actions.next();
            case LIST -> actions.show(SessionState.View.LIST);
            case RESET -> {
                state.confirmingReset = true;
            }
            case EDIT -> actions.edit();
            case QUIT -> state.quit = true;
            case PROMPT -> actions.prompt(key.ch() == '/' ? "/" : ":");
            case STORY -> actions.show(SessionState.View.STORY);
            case HELP -> actions.show(SessionState.View.HELP);
            case SCROLL_UP -> pane.scrollBy(-1);
            case SCROLL_DOWN -> pane.scrollBy(1);
            case PAGE_UP -> pane.scrollBy(-(screen.get().bodyRows() - 1));
            case PAGE_DOWN -> pane.scrollBy(screen.get().bodyRows() - 1);
            case TOP -> pane.top();
            case BOTTOM -> pane.bottom();
            case REDRAW -> screen.get().invalidate();
            case INTERRUPT -> interrupt.run();
            case YES, NO, NONE -> {
            }
        }
    }

    static boolean isScroll(KeyMap.Action a) {
        return switch (a) {
            case SCROLL_UP, SCROLL_DOWN, PAGE_UP, PAGE_DOWN, TOP, BOTTOM, REDRAW -> true;
            default -> false;
        };
    }
}
