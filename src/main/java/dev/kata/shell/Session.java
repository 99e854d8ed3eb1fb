package dev.kata.shell;

import dev.kata.KataException;
import dev.kata.catalog.CatalogException;
import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.grader.Grader;
import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;
import dev.kata.render.ListText;
import dev.kata.render.PathDisplay;
import dev.kata.render.StoryText;
import dev.kata.render.Style;
import dev.kata.render.VerdictText;
import dev.kata.workspace.KataProgress;
import dev.kata.workspace.KataState;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.ProgressStatus;
import dev.kata.workspace.Resetter;
import dev.kata.workspace.Starter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.Terminal.Signal;

/**
 * The interactive session: one kata on screen, its file watched, re-checked on every save, and
 * single keys for hints, checks, the list, a reset, the editor, the solution after a pass, and the
 * next kata. Owns the terminal while it runs and always gives it back as it found it.
 *
 * <p>One thread (the caller of {@link #run()}) does all the drawing and all changes of state; the
 * key reader, the file watcher, the check thread and signal handlers only post {@link SessionEvent}s.
 */
public final class Session {
    private static final String SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    private static final long TICK_MS = 100;

    enum View { STORY, VERDICT, PASSED, HINTS, LIST, SOLUTION, HELP, OUTPUT, FINISHED }

    private final SessionSetup setup;
    private final Terminal terminal;
    private final Style style;
    private final PathDisplay paths;
    private final BlockingQueue<SessionEvent> events = new LinkedBlockingQueue<>();

    private volatile TerminalScreen screen;
    private KeyReader keys;
    private CheckRunner checks;
    private volatile Grader grader;
    private CommandPrompt prompt;
    private FileWatcher watcher;
    private long watchId;

    private Kata kata;
    private Path sourceDir;
    private Verdict verdict;
    private View view = View.STORY;
    private Supplier<List<String>> bodySource = List::of;
    private List<String> body = List.of();
    private long bodyVersion;
    private int bodyWidth = -1;
    private int scroll;

    /** The katas' states as last read; dropped whenever something happens (not on spinner ticks). */
    private List<KataState> cachedStates;
    private long checkId = -1;
    private String checkLabel = "";
    private int testsPassed;
    private int testsFailed;
    private int frame;
    private long checkStartedNanos;
    private String notice;
    private boolean confirmingReset;
    private boolean editing;
    private boolean quit;
    private final List<Long> checkMillis = new ArrayList<>();
    private java.util.function.Consumer<Verdict> verdictListener = v -> { };

    public Session(SessionSetup setup, Terminal terminal) {
        this.setup = setup;
        this.terminal = terminal;
        this.style = setup.color() && !TerminalScreen.isDumb(terminal) ? Style.colored() : Style.plain();
        this.paths = new PathDisplay(setup.cwd());
    }

    /**
     * Runs the session on {@code first} until the learner quits; returns the exit code (0).
     *
     * @param finished whether every kata is already passed (the closing summary is shown)
     */
    public int run(Kata first, boolean finished) {
        Attributes original = terminal.enterRawMode();
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
            screen = TerminalScreen.of(terminal, style.color());
            grader = new Grader(setup.graderSettings(), true);
            checks = new CheckRunner(grader, events::add);
            prompt = new CommandPrompt(terminal, setup.workspace().stateDir().resolve("history"), setup.commandLine(),
                    () -> setup.catalog().katas().stream().map(Kata::id).toList());
            keys = new KeyReader(terminal.reader(), key -> events.add(new SessionEvent.KeyPressed(key)));
            open(first);
            if (finished) {
                show(View.FINISHED);
            }
            keys.start();
            loop();
            return 0;
        } finally {
            closeQuietly(keys);
            closeQuietly(watcher);
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

    private void loop() {
        render();
        while (!quit) {
            SessionEvent event;
            try {
                event = events.poll(checkId >= 0 ? TICK_MS : 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (event != null) {
                safely(event);
                SessionEvent more;
                while (!quit && (more = events.poll()) != null) {
                    safely(more);
                }
                cachedStates = null;
            } else {
                frame++;
            }
            if (!quit) {
                render();
            }
        }
    }

    /** Handles one event; a failure (a file that cannot be read, a progress file that cannot be locked) is shown, not fatal. */
    private void safely(SessionEvent event) {
        try {
            handle(event);
        } catch (RuntimeException e) {
            notice = style.red("Could not do that: ") + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage());
        }
    }

    private void handle(SessionEvent event) {
        switch (event) {
            case SessionEvent.KeyPressed k -> key(k.key());
            case SessionEvent.Saved s -> {
                if (s.watchId() == watchId) {
                    startCheck();
                }
            }
            case SessionEvent.CheckPhase p -> {
                if (p.checkId() == checkId) {
                    checkLabel = p.phase();
                }
            }
            case SessionEvent.TestStarted t -> {
                if (t.checkId() == checkId) {
                    checkLabel = "testing: " + t.name();
                }
            }
            case SessionEvent.TestFinished t -> {
                if (t.checkId() == checkId) {
                    if (t.result().passed()) {
                        testsPassed++;
                    } else {
                        testsFailed++;
                    }
                }
            }
            case SessionEvent.CheckDone d -> {
                if (d.checkId() == checkId) {
                    checkDone(d.verdict());
                }
            }
            case SessionEvent.CheckCancelled c -> {
                if (c.checkId() == checkId) {
                    checkId = -1;
                    notice = style.yellow("Check stopped.") + " Save or press c to check again; Ctrl-C again or q quits.";
                }
            }
            case SessionEvent.CheckCrashed c -> {
                if (c.checkId() == checkId) {
                    checkId = -1;
                    notice = style.red("The check could not run: ") + c.error().getMessage();
                }
            }
            case SessionEvent.Interrupt i -> interrupt();
            case SessionEvent.Resized r -> {
                if (!editing) {
                    if (!TerminalScreen.isDumb(terminal)) {
                        terminal.enterRawMode();
                    }
                    screen.invalidate();
                }
            }
        }
    }

    private void interrupt() {
        if (editing) {
            return;
        }
        if (checkId >= 0) {
            checks.cancel();
            return;
        }
        quit = true;
    }

    private void key(Key key) {
        KeyMap.Action action = KeyMap.action(key);
        if (confirmingReset) {
            confirmingReset = false;
            if (action == KeyMap.Action.YES) {
                reset();
            } else {
                notice = "Reset cancelled: your file is as it was.";
            }
            return;
        }
        if (action != KeyMap.Action.NONE && !isScroll(action)) {
            notice = null;
        }
        switch (action) {
            case HINT -> hint();
            case CHECK -> startCheck();
            case SOLUTION -> {
                if (passed(kata)) {
                    show(View.SOLUTION);
                } else {
                    notice = "The reference solution opens once you pass " + kata.id() + ". Stuck? h gives a hint.";
                }
            }
            case NEXT -> next();
            case LIST -> show(View.LIST);
            case RESET -> {
                confirmingReset = true;
                notice = style.yellow("Reset " + kata.id() + " to its starter?") + " Your version is backed up first. "
                        + style.bold("y") + " resets, any other key keeps it.";
            }
            case EDIT -> edit();
            case QUIT -> quit = true;
            case PROMPT -> prompt(key.ch() == '/' ? "/" : ":");
            case STORY -> show(View.STORY);
            case HELP -> show(View.HELP);
            case SCROLL_UP -> scroll -= 1;
            case SCROLL_DOWN -> scroll += 1;
            case PAGE_UP -> scroll -= screen.bodyRows() - 1;
            case PAGE_DOWN -> scroll += screen.bodyRows() - 1;
            case TOP -> scroll = 0;
            case BOTTOM -> scroll = Integer.MAX_VALUE / 2;
            case REDRAW -> screen.invalidate();
            case INTERRUPT -> interrupt();
            case YES, NO, NONE -> {
            }
        }
    }

    private static boolean isScroll(KeyMap.Action a) {
        return switch (a) {
            case SCROLL_UP, SCROLL_DOWN, PAGE_UP, PAGE_DOWN, TOP, BOTTOM, REDRAW -> true;
            default -> false;
        };
    }

    // ---- katas ----

    private void open(Kata next) {
        if (!setup.workspace().isStarted(next)) {
            new Starter().start(next, setup.workspace());
        }
        setup.progress().get().update(next.id(), p -> p.started(setup.clock().instant()));
        if (kata != null && !kata.id().equals(next.id())) {
            checks.cancel();
            checkId = -1;
        }
        kata = next;
        sourceDir = setup.workspace().sourceDir(next);
        verdict = null;
        closeQuietly(watcher);
        watchId++;
        long id = watchId;
        watcher = new FileWatcher(sourceDir, () -> events.add(new SessionEvent.Saved(id))).start();
        grader.prepare(next);
        show(View.STORY);
    }

    private void next() {
        if (!passed(kata)) {
            notice = "n goes on once " + kata.id() + " passes. Save your fix to check it; h gives a hint.";
            return;
        }
        Kata following = following();
        if (following == null) {
            show(View.FINISHED);
        } else {
            open(following);
        }
    }

    /** The next kata not yet passed, after the current one in the catalog's order (wrapping round), or null. */
    private Kata following() {
        List<KataState> states = states();
        int at = 0;
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).kata().id().equals(kata.id())) {
                at = i;
            }
        }
        for (int step = 1; step <= states.size(); step++) {
            KataState s = states.get((at + step) % states.size());
            if (s.status() != ProgressStatus.PASSED) {
                return s.kata();
            }
        }
        return null;
    }

    private List<KataState> states() {
        List<KataState> states = cachedStates;
        if (states == null) {
            states = KataState.of(setup.catalog().katas(), setup.progress().get().read(), setup.workspace());
            cachedStates = states;
        }
        return states;
    }

    private boolean passed(Kata k) {
        cachedStates = null;
        return setup.progress().get().read().of(k.id()).status() == ProgressStatus.PASSED;
    }

    // ---- checks ----

    private void startCheck() {
        if (!confirmingReset) {
            notice = null;
        }
        checkId = checks.start(kata, sourceDir);
        checkLabel = "starting";
        testsPassed = 0;
        testsFailed = 0;
        checkStartedNanos = System.nanoTime();
    }

    private void checkDone(Verdict v) {
        checkId = -1;
        synchronized (checkMillis) {
            checkMillis.add((System.nanoTime() - checkStartedNanos) / 1_000_000);
        }
        verdict = v;
        LastVerdict last = new LastVerdict(v.status().id(), v.reason() == null ? null : v.reason().id(), v.summary(),
                setup.clock().instant());
        try {
            setup.progress().get().update(kata.id(), p -> p.checked(last));
        } catch (KataException e) {
            notice = style.red("Progress not saved: ") + e.getMessage();
        }
        cachedStates = null;
        show(v.passed() ? View.PASSED : View.VERDICT);
        render();
        verdictListener.accept(v);
    }

    // ---- actions ----

    private void hint() {
        List<String> hints;
        try {
            hints = KataTexts.read(kata).hints();
        } catch (CatalogException e) {
            notice = style.red(e.getMessage());
            return;
        }
        if (hints.isEmpty()) {
            notice = "This kata has no hints.";
            return;
        }
        int used = setup.progress().get().read().of(kata.id()).hintsUsed();
        if (used >= hints.size()) {
            notice = "That was the last hint: all " + hints.size() + " are shown.";
        }
        int level = Math.min(used + 1, hints.size());
        setup.progress().get().update(kata.id(), p -> p.withHintsUsed(level));
        show(View.HINTS);
        scroll = Integer.MAX_VALUE / 2;
    }

    private void reset() {
        watcher.hold();
        try {
            Resetter.Result result;
            try {
                result = new Resetter(setup.clock()).reset(kata, setup.workspace());
            } finally {
                resyncWatcher();
            }
            setup.progress().get().update(kata.id(), p -> p.started(setup.clock().instant()));
            verdict = null;
            notice = style.passMark() + " " + kata.id() + " is back to its starter."
                    + (result.backup() == null ? " (Your file was the starter already: nothing to back up.)"
                            : " Your version is in " + paths.show(result.backup()) + ".");
            show(View.STORY);
        } catch (KataException e) {
            notice = style.red(e.getMessage());
        }
    }

    private void edit() {
        try {
            String editor = EditorLauncher.editor(setup.env());
            if (editor == null) {
                notice = "Set $VISUAL or $EDITOR (e.g. export EDITOR=nano) to open the file from here, or open "
                        + fileAndLine() + " in your editor: saving it checks it.";
                return;
            }
            SourceLine.Spot spot = SourceLine.of(kata, verdict);
            Path file = setup.workspace().learnerFile(kata, spot.file());
            List<String> command = EditorLauncher.command(editor, file, spot.line());
            editing = true;
            screen.suspend();
            Attributes raw = terminal.getAttributes();
            try {
                Process process = new ProcessBuilder(command).directory(setup.cwd().toFile()).inheritIO().start();
                process.waitFor();
            } catch (IOException e) {
                notice = style.red("Could not start the editor ") + editor + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                terminal.setAttributes(raw);
                screen.resume();
                events.removeIf(e -> e instanceof SessionEvent.Interrupt);
                editing = false;
            }
        } finally {
            keys.resume();
        }
    }

    private void prompt(String promptText) {
        List<String> words;
        try {
            screen.prepareBottomLine();
            words = prompt.read(promptText);
        } finally {
            screen.invalidate();
            keys.resume();
        }
        if (words.isEmpty()) {
            return;
        }
        String first = words.get(0);
        if (List.of("q", "quit", "exit").contains(first)) {
            quit = true;
            return;
        }
        if (first.equals("check") && (words.size() == 1 || words.equals(List.of("check", kata.id())))) {
            startCheck();
            return;
        }
        if (first.equals("start") && words.size() == 2 && setup.catalog().find(words.get(1)).isPresent()) {
            open(setup.catalog().find(words.get(1)).get());
            return;
        }
        List<String> args = new ArrayList<>();
        args.add(style.color() ? "--color" : "--no-color");
        args.add("--workspace=" + setup.workspace().root());
        args.addAll(first.equals("help") ? List.of("--help") : words);
        StringWriter out = new StringWriter();
        int code;
        watcher.hold();
        try (PrintWriter o = new PrintWriter(out)) {
            code = setup.commands().run(args, o, o);
        } finally {
            resyncWatcher();
        }
        // A Ctrl-C typed while the command ran was meant for it, not for the session.
        events.removeIf(e -> e instanceof SessionEvent.Interrupt);
        String text = out.toString();
        List<String> lines = new ArrayList<>();
        lines.add(style.dim("$ kata " + String.join(" ", words)));
        lines.addAll(text.stripTrailing().lines().toList());
        if (code != 0) {
            lines.add(style.dim("(exit code " + code + ")"));
        }
        bodySource = () -> lines;
        view = View.OUTPUT;
        newBody();
    }

    /** After the session changed the files itself: that is not a save, whatever the watcher noticed meanwhile. */
    private void resyncWatcher() {
        watcher.resync();
        events.removeIf(e -> e instanceof SessionEvent.Saved);
    }

    // ---- the screen ----

    private void show(View next) {
        view = next;
        bodySource = switch (next) {
            case STORY -> this::storyBody;
            case VERDICT -> this::verdictBody;
            case PASSED -> this::passedBody;
            case HINTS -> this::hintsBody;
            case LIST -> () -> new ListText(style).render(setup.catalog().tracks(), states(), true).lines().toList();
            case SOLUTION -> this::solutionBody;
            case HELP -> this::helpBody;
            case FINISHED -> () -> Celebration.finished(style, states(), screen.width());
            case OUTPUT -> bodySource;
        };
        newBody();
    }

    private void newBody() {
        bodyWidth = -1;
        scroll = 0;
        bodyVersion++;
    }

    /** Tells {@code listener} (on the session's thread) of every verdict, for tests and the benchmark. */
    void onVerdict(java.util.function.Consumer<Verdict> listener) {
        this.verdictListener = listener;
    }

    private List<String> storyBody() {
        List<String> out = new ArrayList<>(lines(new StoryText(style).render(Markdown.reflow(KataTexts.read(kata).story()))));
        out.add("");
        out.add("Edit " + style.bold(fileAndLine()) + (kata.files().size() > 1
                ? " (the kata's other files, " + String.join(", ", kata.files()) + ", are beside it)" : "")
                + ", then save: the hidden tests run at once.");
        return out;
    }

    private List<String> verdictBody() {
        List<String> out = new ArrayList<>(lines(new VerdictText(style, paths, false, screen.width() - 2)
                .render(verdict, kata, sourceDir)));
        out.add("");
        out.add("Fix " + style.bold(fileAndLine()) + " and save to check again." + style.dim(" Stuck? h gives a hint."));
        return out;
    }

    private List<String> passedBody() {
        List<KataState> states = states();
        Kata following = following();
        return Celebration.afterPass(style, kata, verdict, states, following, screen.width());
    }

    private List<String> hintsBody() {
        List<String> hints = KataTexts.read(kata).hints();
        int shown = Math.max(1, Math.min(hints.size(), setup.progress().get().read().of(kata.id()).hintsUsed()));
        List<String> out = new ArrayList<>();
        StoryText markdown = new StoryText(style);
        for (int level = 1; level <= shown; level++) {
            out.add(style.heading("Hint " + level + " of " + hints.size()));
            out.addAll(lines(markdown.render(Markdown.reflow(hints.get(level - 1)))));
            out.add("");
        }
        out.add(style.dim(shown < hints.size() ? "h again for the next one." : "That was the last hint."));
        return out;
    }

    private List<String> solutionBody() {
        List<String> out = new ArrayList<>();
        for (String name : kata.solutionChanges()) {
            out.add(style.heading("── " + name + " (reference solution) ──"));
            try {
                out.addAll(Files.readString(kata.solutionFile(name)).stripTrailing().lines().toList());
            } catch (IOException e) {
                out.add(style.red("cannot be read: " + e.getMessage()));
            }
            out.add("");
        }
        out.addAll(lines(new StoryText(style).render(Markdown.reflow(KataTexts.read(kata).solutionNotes()))));
        Kata following = following();
        out.add("");
        out.add(following == null ? style.dim("n shows the summary: every kata is passed.")
                : style.dim("n goes on to " + following.id() + "."));
        return out;
    }

    private List<String> helpBody() {
        List<String> out = new ArrayList<>();
        out.add(style.heading("Keys"));
        for (String[] k : KeyMap.ALL) {
            out.add("  " + style.bold(String.format(Locale.ROOT, "%-8s", k[0])) + " " + k[1]);
        }
        out.add("");
        out.add("Saving " + fileAndLine() + " checks it by itself (within a moment of the save).");
        out.add("At the : prompt, e.g. " + style.code("list") + ", " + style.code("progress") + ", "
                + style.code("hint " + kata.id()) + ", " + style.code("start ID") + "; Tab completes.");
        return out;
    }

    private static List<String> lines(String text) {
        return text.stripTrailing().lines().toList();
    }

    private String fileAndLine() {
        SourceLine.Spot spot = SourceLine.of(kata, verdict);
        Path file = setup.workspace().learnerFile(kata, spot.file());
        return paths.show(file) + (spot.line() > 0 ? ":" + spot.line() : "");
    }

    private void render() {
        int width = screen.width() - 1;
        if (bodyWidth != width) {
            List<String> raw;
            try {
                raw = bodySource.get();
            } catch (RuntimeException e) {
                raw = List.of(style.red("Cannot show this: " + e.getMessage()));
            }
            body = TerminalScreen.wrap(raw, width);
            bodyWidth = width;
        }
        int rows = screen.bodyRows();
        scroll = Math.max(0, Math.min(scroll, body.size() - rows));
        List<KataState> states = states();
        int index = 0;
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).kata().id().equals(kata.id())) {
                index = i + 1;
            }
        }
        String title = style.bold("kata") + "  " + style.heading(kata.id()) + " · " + kata.title()
                + style.dim("  (" + index + " of " + states.size() + ")");
        String progress = Celebration.bar(style, Celebration.passed(states), states.size(), Math.min(states.size(), 12));
        boolean passed = states.stream().anyMatch(s -> s.kata().id().equals(kata.id())
                && s.status() == ProgressStatus.PASSED);
        String file = style.bold("✎ ") + "Edit " + style.bold(fileAndLine())
                + style.dim(watcher != null && watcher.usesEvents() ? "  save to check" : "  save to check (polling)");
        screen.show(new Frame(title, progress, body, scroll, bodyVersion, status(), checkId >= 0, file,
                keyHelp(passed, width)));
    }

    private String status() {
        if (confirmingReset && notice != null) {
            return notice;
        }
        if (checkId >= 0) {
            String counts = testsPassed + testsFailed == 0 ? ""
                    : "  " + style.green(testsPassed + " ✔") + (testsFailed > 0 ? " " + style.red(testsFailed + " ✘") : "");
            String spin = TerminalScreen.isDumb(terminal) ? "…" : String.valueOf(SPINNER.charAt(frame % SPINNER.length()));
            return style.cyan(spin) + " checking " + kata.id() + ": " + checkLabel + counts
                    + style.dim("   Ctrl-C stops it");
        }
        if (notice != null) {
            return notice;
        }
        if (verdict != null) {
            if (verdict.passed()) {
                return style.passMark() + " " + style.bold(kata.id()) + " passes." + style.dim("  s solution · n next kata");
            }
            if (verdict.status() == dev.kata.grader.Status.INCONCLUSIVE) {
                return style.unsureMark() + " " + style.bold(kata.id()) + ": inconclusive - " + verdict.summary()
                        + style.dim("  c checks again");
            }
            return style.failMark() + " " + style.bold(kata.id()) + " fails: "
                    + style.red(verdict.reason() == null ? "failed" : verdict.reason().id()) + " - " + verdict.summary();
        }
        return style.dim("Not checked yet in this session: save the file, or press c.");
    }

    private String keyHelp(boolean passed, int width) {
        List<String[]> help = KeyMap.help(passed);
        StringBuilder line = new StringBuilder();
        int used = 0;
        String[] last = help.get(help.size() - 1);
        int reserve = last[0].length() + 1 + last[1].length();
        for (int i = 0; i < help.size(); i++) {
            String[] k = help.get(i);
            int len = k[0].length() + 1 + k[1].length() + (used == 0 ? 0 : 2);
            boolean isLast = i == help.size() - 1;
            if (!isLast && used + len + 2 + reserve > width) {
                continue;
            }
            if (used > 0) {
                line.append("  ");
            }
            line.append(style.bold(k[0])).append(' ').append(style.dim(k[1]));
            used += len;
        }
        return line.toString();
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
        return verdict;
    }

    List<TestResult> lastTests() {
        return verdict == null ? List.of() : verdict.tests();
    }
}
