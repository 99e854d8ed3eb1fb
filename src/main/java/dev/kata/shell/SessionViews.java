package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.render.ListText;
import dev.kata.render.PathDisplay;
import dev.kata.render.Reflow;
import dev.kata.render.StoryText;
import dev.kata.render.Style;
import dev.kata.render.VerdictText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/** The body of each view of the session, as lines of ANSI text to be wrapped to the screen. */
final class SessionViews {
    private final SessionSetup setup;
    private final SessionState state;
    private final Standings standings;
    private final Style style;
    private final PathDisplay paths;
    private final IntSupplier width;

    SessionViews(SessionSetup setup, SessionState state, Standings standings, Style style, PathDisplay paths,
            IntSupplier width) {
        this.setup = setup;
        this.state = state;
        this.standings = standings;
        this.style = style;
        this.paths = paths;
        this.width = width;
    }

    /** The content of {@code view}; OUTPUT has none of its own (the command's output is given). */
    List<String> of(SessionState.View view) {
        return switch (view) {
            case STORY -> story();
            case VERDICT -> verdict();
            case PASSED -> passed();
            case HINTS -> hints();
            case LIST -> new ListText(style).render(setup.catalog().tracks(), standings.states(), true).lines().toList();
            case SOLUTION -> solution();
            case HELP -> help();
            case FINISHED -> Celebration.finished(style, standings.states(), width.getAsInt());
            case OUTPUT -> List.of();
        };
    }

    /** The learner's file the session points at, as {@code path:line}. */
    String fileAndLine() {
        SourceLine.Spot spot = SourceLine.of(state.kata, state.verdict);
        Path file = setup.workspace().learnerFile(state.kata, spot.file());
        return paths.show(file) + (spot.line() > 0 ? ":" + spot.line() : "");
    }

    private List<String> story() {
        Kata kata = state.kata;
        List<String> out = new ArrayList<>(lines(new StoryText(style).render(Reflow.paragraphs(KataTexts.read(kata).story()))));
        out.add("");
        String shown = SourceLine.of(kata, state.verdict).file();
        List<String> others = kata.files().stream().filter(f -> !f.equals(shown)).toList();
        out.add("Edit " + style.bold(fileAndLine()) + (others.isEmpty() ? ""
                : " (the kata's other " + (others.size() == 1 ? "file, " : "files, ") + String.join(", ", others)
                        + (others.size() == 1 ? ", is" : ", are") + " beside it)")
                + ", then save: the hidden tests run at once.");
        return out;
    }

    private List<String> verdict() {
        List<String> out = new ArrayList<>(lines(new VerdictText(style, paths, false, width.getAsInt() - 2)
                .render(state.verdict, state.kata, state.sourceDir)));
        out.add("");
        out.add("Fix " + style.bold(fileAndLine()) + " and save to check again." + style.dim(" Stuck? h gives a hint."));
        return out;
    }

    private List<String> passed() {
        return Celebration.afterPass(style, state.kata, state.verdict, standings.states(),
                standings.following(state.kata), width.getAsInt());
    }

    private List<String> hints() {
        Kata kata = state.kata;
        List<String> hints = KataTexts.read(kata).hints();
        int used = Math.max(state.hintsShown, setup.progress().get().read().of(kata.id()).hintsUsed());
        int shown = Math.max(1, Math.min(hints.size(), used));
        List<String> out = new ArrayList<>();
        StoryText markdown = new StoryText(style);
        for (int level = 1; level <= shown; level++) {
            out.add(style.heading("Hint " + level + " of " + hints.size()));
            out.addAll(lines(markdown.render(Reflow.paragraphs(hints.get(level - 1)))));
            out.add("");
        }
        out.add(style.dim(shown < hints.size() ? "h again for the next one." : "That was the last hint."));
        return out;
    }

    private List<String> solution() {
        Kata kata = state.kata;
        List<String> out = new ArrayList<>(new dev.kata.render.SolutionText(style).lines(kata,
                name -> setup.workspace().learnerFile(kata, name), Reflow::paragraphs));
        Kata following = standings.following(kata);
        out.add("");
        out.add(following == null ? style.dim("n shows the summary: every kata is passed.")
                : style.dim("n goes on to " + following.id() + "."));
        return out;
    }

    private List<String> help() {
        List<String> out = new ArrayList<>();
        out.add(style.heading("Keys"));
        for (String[] k : KeyMap.ALL) {
            out.add("  " + style.bold(String.format(Locale.ROOT, "%-8s", k[0])) + " " + k[1]);
        }
        out.add("");
        out.add("Saving " + fileAndLine() + " checks it by itself (within a moment of the save).");
        out.add("At the : prompt, e.g. " + style.code("list") + ", " + style.code("progress") + ", "
                + style.code("hint " + state.kata.id()) + ", " + style.code("start ID") + "; Tab completes.");
        return out;
    }

    private static List<String> lines(String text) {
        return text.stripTrailing().lines().toList();
    }
}
