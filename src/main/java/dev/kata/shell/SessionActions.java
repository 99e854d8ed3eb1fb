package dev.kata.shell;

import dev.kata.KataException;
import dev.kata.catalog.CatalogException;
import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.grader.Grader;
import dev.kata.grader.Verdict;
import dev.kata.render.Glyphs;
import dev.kata.render.PathDisplay;
import dev.kata.render.Style;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.Resetter;
import dev.kata.workspace.Starter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;

/**
 * What the session does on the learner's behalf, on its loop thread: open a kata, go on to the
 * next, start a check and take its verdict, show a hint, reset, hand the file to the editor, run a
 * line typed at the {@code :} prompt. Each changes {@link SessionState}; the next frame shows it.
 */
final class SessionActions implements AutoCloseable {
    /** What the actions work on, made by {@link Session#run} once the terminal is the session's. */
    record Parts(Terminal terminal, TerminalScreen screen, KeyReader keys, CheckRunner checks, Grader grader,
            CommandPrompt prompt) {
    }

    private final SessionSetup setup;
    private final SessionState state;
    private final Standings standings;
    private final Pane pane;
    private final SessionViews views;
    private final Style style;
    private final PathDisplay paths;
    private final BlockingQueue<SessionEvent> events;
    private final Parts parts;
    private final Runnable render;
    private final java.util.function.Consumer<Verdict> verdictListener;
    private final java.util.function.LongConsumer checkTime;
    private FileWatcher watcher;
    private long watchId;
    private long commandIds;

    SessionActions(SessionSetup setup, SessionState state, Standings standings, Pane pane, SessionViews views,
            Style style, PathDisplay paths, BlockingQueue<SessionEvent> events, Parts parts, Runnable render,
            java.util.function.Consumer<Verdict> verdictListener, java.util.function.LongConsumer checkTime) {
        this.setup = setup;
        this.state = state;
        this.standings = standings;
        this.pane = pane;
        this.views = views;
        this.style = style;
        this.paths = paths;
        this.events = events;
        this.parts = parts;
        this.render = render;
        this.verdictListener = verdictListener;
        this.checkTime = checkTime;
    }

    /** Whether a save of this watch is news (not of a kata since left). */
    boolean isCurrentWatch(long id) {
        return id == watchId;
    }

    boolean watchesEvents() {
        return watcher != null && watcher.usesEvents();
    }

    /**
     * Records a change of the kata's progress. A workspace that cannot be written (a read-only
     * mount) still works for everything else: the session says once that nothing is recorded,
     * and again under each verdict ({@code verdict}), which the learner would expect to be kept.
     */
    private void record(String kataId, java.util.function.UnaryOperator<dev.kata.workspace.KataProgress> change) {
        record(kataId, change, false);
    }

    private void record(String kataId, java.util.function.UnaryOperator<dev.kata.workspace.KataProgress> change,
            boolean verdict) {
        try {
            setup.progress().get().update(kataId, change);
        } catch (dev.kata.workspace.ProgressNotRecordedException e) {
            if (!state.progressUnrecorded) {
                state.progressUnrecorded = true;
                state.notice = style.yellow("Your progress is not recorded: ") + e.getMessage()
                        + ". Checks, hints and the rest still work.";
            } else if (verdict) {
                state.notice = style.yellow("This verdict is not recorded: ") + e.getMessage() + ".";
            }
        } catch (KataException e) {
            state.notice = style.red("Progress not saved: ") + e.getMessage();
        }
    }

    void show(SessionState.View next) {
        state.view = next;
        pane.show(() -> views.of(next));
    }

    void open(Kata next) {
        if (!setup.workspace().isStarted(next)) {
            new Starter().start(next, setup.workspace());
        }
        record(next.id(), p -> p.started(setup.clock().instant()));
        if (state.kata != null && !state.kata.id().equals(next.id())) {
            parts.checks().cancel();
            state.check = null;
        }
        state.kata = next;
        state.sourceDir = setup.workspace().sourceDir(next);
        state.verdict = null;
        state.hintsShown = 0;
        if (watcher != null) {
            watcher.close();
        }
        watchId++;
        long id = watchId;
        watcher = new FileWatcher(state.sourceDir, () -> events.add(new SessionEvent.Saved(id))).start();
        parts.grader().prepare(next);
        show(SessionState.View.STORY);
    }

    void next() {
        if (!passed()) {
            state.notice = "n goes on once " + state.kata.id() + " passes. Save your fix to check it; h gives a hint.";
            return;
        }
        Kata following = standings.following(state.kata);
        if (following == null) {
            show(SessionState.View.FINISHED);
        } else {
            open(following);
        }
    }

    /** Whether the kata on screen is passed, as progress says now. */
    boolean passed() {
        standings.forget();
        return standings.passed(state.kata);
    }

    // ---- checks ----

    void startCheck() {
        if (!state.confirmingReset) {
            state.notice = null;
        }
        state.check = new SessionState.RunningCheck(parts.checks().start(state.kata, state.sourceDir));
    }

    void checkDone(Verdict v) {
        checkTime.accept((System.nanoTime() - state.check.startedNanos) / 1_000_000);
        state.check = null;
        state.verdict = v;
        LastVerdict last = new LastVerdict(v.status().id(), v.reason() == null ? null : v.reason().id(), v.summary(),
                setup.clock().instant());
        record(state.kata.id(), p -> p.checked(last), true);
        standings.forget();
        show(v.passed() ? SessionState.View.PASSED : SessionState.View.VERDICT);
        render.run();
        verdictListener.accept(v);
    }

    // ---- actions ----

    void hint() {
        Kata kata = state.kata;
        List<String> hints;
        try {
            hints = KataTexts.read(kata).hints();
        } catch (CatalogException e) {
            state.notice = style.red(e.getMessage());
            return;
        }
        if (hints.isEmpty()) {
            state.notice = "This kata has no hints.";
            return;
        }
        int used = Math.max(state.hintsShown, setup.progress().get().read().of(kata.id()).hintsUsed());
        if (used >= hints.size()) {
            state.notice = "That was the last hint: all " + hints.size() + " are shown.";
        }
        int level = Math.min(used + 1, hints.size());
        state.hintsShown = level;
        record(kata.id(), p -> p.withHintsUsed(level));
        show(SessionState.View.HINTS);
        pane.bottom();
    }

    void reset() {
        Kata kata = state.kata;
        watcher.hold();
        try {
            Resetter.Result result;
            try {
                result = new Resetter(setup.clock()).reset(kata, setup.workspace());
            } finally {
                resyncWatcher();
            }
            record(kata.id(), p -> p.started(setup.clock().instant()));
            state.verdict = null;
            state.notice = style.passMark() + " Back to the starter."
                    + (result.backup() == null ? " (Your file was the starter already: nothing to back up.)"
                            : " Yours is in " + MiddlePath.fit(paths.show(result.backup()),
                                    Math.max(16, parts.screen().width() - 36), cutMark()) + ".");
            show(SessionState.View.STORY);
        } catch (KataException e) {
            state.notice = style.red(e.getMessage());
        }
    }

    /** How a cut path's middle shows on this terminal (its width counts). */
    private String cutMark() {
        return Glyphs.unicode(setup.env()) ? "…" : "...";
    }

    void edit() {
        try {
            String editor = EditorLauncher.editor(setup.env());
            SourceLine.Spot spot = SourceLine.of(state.kata, state.verdict);
            Path file = setup.workspace().learnerFile(state.kata, spot.file());
            List<String> command = EditorLauncher.command(editor, file, spot.line());
            state.editing = true;
            parts.screen().suspend();
            Attributes raw = parts.terminal().getAttributes();
            try {
                Process process = new ProcessBuilder(command).directory(setup.cwd().toFile()).inheritIO().start();
                process.waitFor();
                if (process.exitValue() == 127 && !EditorLauncher.named(setup.env())) {
                    state.notice = EditorLauncher.noEditor(views.fileAndLine(), parts.screen().width() - 1, cutMark());
                }
            } catch (IOException e) {
                state.notice = style.red("Could not start the editor ") + editor + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                parts.terminal().setAttributes(raw);
                parts.screen().resume();
                events.removeIf(e -> e instanceof SessionEvent.Interrupt);
                state.editing = false;
            }
        } finally {
            parts.keys().resume();
        }
    }

    void prompt(String promptText) {
        List<String> words;
        try {
            state.notice = style.dim("A command of kata, e.g. list, progress, validate: " + CommandPrompt.HOW + ".");
            render.run();
            state.notice = null;
            parts.screen().prepareBottomLine();
            words = parts.prompt().read(promptText, style.dim(CommandPrompt.HOW));
        } finally {
            parts.screen().invalidate();
            parts.keys().resume();
        }
        if (words.isEmpty()) {
            return;
        }
        String first = words.get(0);
        if (List.of("q", "quit", "exit").contains(first)) {
            state.quit = true;
            return;
        }
        if (first.equals("check") && (words.size() == 1 || words.equals(List.of("check", state.kata.id())))) {
            startCheck();
            return;
        }
        if (first.equals("start") && words.size() == 2 && setup.catalog().find(words.get(1)).isPresent()) {
            open(setup.catalog().find(words.get(1)).get());
            return;
        }
        if (state.command != null) {
            state.notice = style.yellow(state.command.label() + " is still running: ") + "q or Ctrl-C stops it.";
            return;
        }
        List<String> args = new ArrayList<>();
        args.add(style.color() ? "--color" : "--no-color");
        args.add("--workspace=" + setup.workspace().root());
        args.addAll(words);
        if (CHANGES_FILES.contains(first)) {
            watcher.hold();
        }
        int columns = parts.screen().width() - 1;
        CommandJob job = CommandJob.start(++commandIds, words, out -> setup.commands().run(args, columns, out, out),
                events::add);
        state.command = job;
        state.view = SessionState.View.OUTPUT;
        pane.show(() -> commandLines(job));
    }

    /** Commands that write the kata's files: the watcher holds still while they run, they are no save. */
    private static final java.util.Set<String> CHANGES_FILES = java.util.Set.of("reset", "start", "init");

    /** What the output view shows of a command: what it printed so far, and at the end how it ended. */
    private List<String> commandLines(CommandJob job) {
        List<String> lines = new ArrayList<>();
        lines.add(style.dim(job.label()));
        if (job.cancelled()) {
            lines.add(style.yellow("Cancelled") + " after " + seconds(job.elapsedMillis())
                    + ": no result, since checks stopped halfway prove nothing.");
            return lines;
        }
        lines.addAll(SessionWording.forSession(job.output()).stripTrailing().lines().toList());
        if (state.command != job && job.exitCode() != 0) {
            lines.add(style.dim("(it ended with exit code " + job.exitCode() + ")"));
        }
        return lines;
    }

    /** The command typed at the prompt has ended: its output as it was when it ended, or that it was cancelled. */
    void commandEnded(long id) {
        CommandJob job = state.command;
        if (job == null || job.id() != id) {
            return;
        }
        state.command = null;
        if (CHANGES_FILES.contains(job.words().get(0))) {
            resyncWatcher();
        }
        if (job.cancelled()) {
            state.notice = style.yellow(job.label() + " was cancelled.") + " Nothing it found so far is reported.";
        }
        standings.forget();
        if (state.view == SessionState.View.OUTPUT) {
            pane.refresh();
        }
    }

    /** Ctrl-C or q while a command runs: it is asked to stop; the session says so once it has. */
    void cancelCommand() {
        CommandJob job = state.command;
        if (job != null && !job.cancelled()) {
            job.cancel();
            state.notice = null;
            if (state.view == SessionState.View.OUTPUT) {
                pane.refresh();
            }
        }
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /** After the session changed the files itself: that is not a save, whatever the watcher noticed meanwhile. */
    private void resyncWatcher() {
        watcher.resync();
        events.removeIf(e -> e instanceof SessionEvent.Saved);
    }


    @Override
    public void close() {
        if (state.command != null) {
            state.command.stop();
        }
        if (watcher != null) {
            watcher.close();
        }
    }
}
