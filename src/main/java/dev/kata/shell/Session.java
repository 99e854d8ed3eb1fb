package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.grader.Grader;
import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;
import dev.kata.render.Glyphs;
import dev.kata.render.PathDisplay;
import dev.kata.render.Style;
import dev.kata.workspace.KataState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.Terminal.Signal;

/**
 * The interactive session: one kata on screen, its file watched, re-checked on every save, and
 * single keys for hints, checks, the list, a reset, the editor, the solution after a pass, and the
 * next kata. Owns the terminal while it runs and always gives it back as it found it.
 *
 * <p>One thread (the caller of {@link #run()}) does all the drawing and all changes of
 * {@link SessionState}; the key reader, the file watcher, the check thread and signal handlers only
 * post {@link SessionEvent}s. {@link SessionViews} and {@link StatusBar} turn the state into a frame.
 */
public final class Session {
    private static final long TICK_MS = 100;

    private final SessionSetup setup;
    private final Terminal terminal;
    private final Style style;
    private final PathDisplay paths;
    private final BlockingQueue<SessionEvent> events = new LinkedBlockingQueue<>();
    private final SessionState state = new SessionState();
    private final Standings standings;
    private final Pane pane = new Pane();
    private final SessionViews views;
    private final StatusBar bar;

    private volatile TerminalScreen screen;
    private KeyReader keys;
    private CheckRunner checks;
    private volatile Grader grader;
    private SessionActions actions;
    private SessionKeys keyMap;
    private SessionLock lock;
    /** How much of the running command's output the body shows. */
    private int shownOutput;

    private final List<Long> checkMillis = new ArrayList<>();
    private volatile Consumer<Verdict> verdictListener = v -> { };

    public Session(SessionSetup setup, Terminal terminal) {
        this.setup = setup;
        this.terminal = terminal;
        this.style = setup.color() && !TerminalScreen.isDumb(terminal) ? Style.colored() : Style.plain();
        this.paths = new PathDisplay(setup.cwd());
        this.standings = new Standings(() -> KataState.of(setup.catalog().katas(), setup.progress().get().read(),
                setup.workspace()));
        this.views = new SessionViews(setup, state, standings, style, paths, () -> screen.width());
        this.bar = new StatusBar(state, standings, style, TerminalScreen.isDumb(terminal), Glyphs.unicode(setup.env()));
    }

    /**
     * Runs the session on {@code first} until the learner quits; returns the exit code (0).
     *
     * @param finished whether every kata is already passed (the closing summary is shown)
     */
    public int run(Kata first, boolean finished) {
        Attributes original = terminal.enterRawMode();
        // Ctrl-C comes as a key, not as SIGINT to the whole process group: a tty's SIGINT would
        // also kill the test JVMs of a check or a :validate, which would then look like failures.
        Attributes raw = terminal.getAttributes();
        raw.setControlChar(Attributes.ControlChar.VINTR, 0);
        terminal.setAttributes(raw);
        Terminal.SignalHandler oldInt = terminal.handle(Signal.INT, s -> events.add(new SessionEvent.Interrupt()));
        Terminal.SignalHandler oldWinch = terminal.handle(Signal.WINCH, s -> events.add(new SessionEvent.Resized()));
        Terminal.SignalHandler oldCont = terminal.handle(Signal.CONT, s -> events.add(new SessionEvent.Resized()));
        // Killed (SIGTERM, a closed terminal window): leave the alternate screen and show the cursor again.
        Thread restore = new Thread(() -> {
            TerminalScreen shown = screen;
            if (shown != null) {
                shown.close();
            }
        }, "kata-session-restore");
        Runtime.getRuntime().addShutdownHook(restore);
        try {
            screen = TerminalScreen.of(terminal, style.color(), Glyphs.unicode(setup.env()));
            grader = new Grader(setup.graderSettings(), true);
            checks = new CheckRunner(grader, events::add);
            CommandPrompt prompt = new CommandPrompt(terminal, setup.workspace().stateDir().resolve("history"),
                    setup.commandLine(), () -> setup.catalog().katas().stream().map(Kata::id).toList());
            keys = new KeyReader(terminal.reader(), key -> events.add(new SessionEvent.KeyPressed(key)));
            actions = new SessionActions(setup, state, standings, pane, views, style, paths, events,
                    new SessionActions.Parts(terminal, screen, keys, checks, grader, prompt), this::render,
                    v -> verdictListener.accept(v), ms -> {
                        synchronized (checkMillis) {
                            checkMillis.add(ms);
                        }
                    });
            keyMap = new SessionKeys(state, actions, pane, style, () -> screen, this::interrupt);
            lock = SessionLock.take(setup.workspace().stateDir());
            actions.open(first);
            if (!lock.alone()) {
                state.notice = style.yellow("Another kata session is open on this workspace:")
                        + " each save is checked in both. Quit one of them (q).";
            }
            if (finished) {
                actions.show(SessionState.View.FINISHED);
            }
            keys.start();
            loop();
            return 0;
        } finally {
            closeQuietly(keys);
            closeQuietly(actions);
            closeQuietly(lock);
            closeQuietly(checks);
            if (screen != null) {
                screen.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(restore);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs
            }
            terminal.handle(Signal.INT, oldInt);
            terminal.handle(Signal.WINCH, oldWinch);
            terminal.handle(Signal.CONT, oldCont);
            terminal.setAttributes(original);
            terminal.flush();
        }
    }

    /** A notice for the first frame (the workspace just created, which the full screen would hide). */
    public void greet(String notice) {
        state.notice = notice;
    }

    /** How long each check of this session took, save (or key) to verdict, in milliseconds. */
    List<Long> checkMillis() {
        synchronized (checkMillis) {
            return List.copyOf(checkMillis);
        }
    }

    /** Whether the session's grader has a test JVM started and waiting for the next check. */
    boolean spareReady() {
        return grader != null && grader.hasSpare();
    }

    /** Posts an event from outside (tests, the benchmark). */
    void post(SessionEvent event) {
        events.add(event);
    }

    /** Tells {@code listener} (on the session's thread) of every verdict, for tests and the benchmark. */
    void onVerdict(Consumer<Verdict> listener) {
        this.verdictListener = listener;
    }

    private void loop() {
        render();
        while (!state.quit) {
            SessionEvent event;
            try {
                event = events.poll(state.checking() || state.commandRunning() ? TICK_MS : 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (event != null) {
                safely(event);
                SessionEvent more;
                while (!state.quit && (more = events.poll()) != null) {
                    safely(more);
                }
                standings.forget();
            } else {
                state.frame++;
            }
            if (!state.quit) {
                render();
            }
        }
    }

    /** Handles one event; a failure (a file that cannot be read, a progress file that cannot be locked) is shown, not fatal. */
    private void safely(SessionEvent event) {
        try {
            handle(event);
        } catch (RuntimeException e) {
            state.notice = style.red("Could not do that: ") + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage());
        }
    }

    private void handle(SessionEvent event) {
        switch (event) {
            case SessionEvent.KeyPressed k -> keyMap.key(k.key());
            case SessionEvent.Saved s -> {
                if (actions.isCurrentWatch(s.watchId())) {
                    actions.startCheck();
                }
            }
            case SessionEvent.CheckPhase p -> {
                if (state.isCurrent(p.checkId())) {
                    state.check.label = p.phase();
                }
            }
            case SessionEvent.TestStarted t -> {
                if (state.isCurrent(t.checkId())) {
                    state.check.label = "testing: " + t.name();
                }
            }
            case SessionEvent.TestFinished t -> {
                if (state.isCurrent(t.checkId())) {
                    if (t.result().passed()) {
                        state.check.passed++;
                    } else if (t.result().status() != dev.kata.grader.Status.SKIPPED) {
                        state.check.failed++;
                    }
                }
            }
            case SessionEvent.CheckDone d -> {
                if (state.isCurrent(d.checkId())) {
                    actions.checkDone(d.verdict());
                }
            }
            case SessionEvent.CheckCancelled c -> {
                if (state.isCurrent(c.checkId())) {
                    state.check = null;
                    state.notice = style.yellow("Check stopped.") + " Save or press c to check again; Ctrl-C again or q quits.";
                }
            }
            case SessionEvent.CheckCrashed c -> {
                if (state.isCurrent(c.checkId())) {
                    state.check = null;
                    state.notice = style.red("The check could not run: ") + c.error().getMessage();
                }
            }
            case SessionEvent.CommandEnded c -> actions.commandEnded(c.commandId());
            case SessionEvent.Interrupt i -> interrupt();
            case SessionEvent.Resized r -> {
                if (!state.editing) {
                    if (!TerminalScreen.isDumb(terminal)) {
                        terminal.enterRawMode();
                    }
                    screen.invalidate();
                }
            }
        }
    }

    private void interrupt() {
        if (state.editing) {
            return;
        }
        if (state.commandRunning()) {
            actions.cancelCommand();
            return;
        }
        if (state.checking()) {
            checks.cancel();
            return;
        }
        state.quit = true;
    }

    // ---- the screen ----

    private void render() {
        CommandJob job = state.command;
        if (job != null && state.view == SessionState.View.OUTPUT && job.output().length() != shownOutput) {
            shownOutput = job.output().length();
            pane.refresh();
        }
        int width = screen.width() - 1;
        int rows = screen.bodyRows();
        List<String> body = pane.lines(width, rows, e -> List.of(style.red("Cannot show this: " + e.getMessage())));
        String file = bar.file(views.fileAndLine(), actions.watchesEvents(), width);
        screen.show(new Frame(bar.title(), bar.progress(), body, pane.scroll(), pane.version(), bar.status(width),
                state.checking() || state.commandRunning(), file, bar.keys(standings.passed(state.kata), width)));
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing on the way out: nothing more to do
        }
    }

    /** The test result of the check being shown, for tests. */
    Verdict verdict() {
        return state.verdict;
    }

    List<TestResult> lastTests() {
        return state.verdict == null ? List.of() : state.verdict.tests();
    }
}
