package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.grader.Verdict;
import dev.kata.render.Style;
import dev.kata.workspace.KataState;
import dev.kata.workspace.ProgressStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the session shows after a pass, and after the last kata. */
final class Celebration {
    private static final String[] CHEERS = {
        "Well done!", "Nicely fixed!", "That's the one!", "Clean pass!",
    };

    private Celebration() {
    }

    /** The progress bar of the whole catalog: {@code ■■■□□□ 3 of 6 passed}. */
    static String bar(Style style, long passed, int total, int cells) {
        int filled = total == 0 ? 0 : (int) Math.round((double) cells * passed / total);
        // Any pass shows, and a box stays empty until the last one: 1 of 25 is not nothing.
        if (passed > 0 && passed < total) {
            filled = Math.max(1, Math.min(cells - 1, filled));
        }
        return style.green("■".repeat(filled)) + style.dim("□".repeat(Math.max(0, cells - filled)))
                + " " + passed + " of " + total + " passed";
    }

    static long passed(List<KataState> states) {
        return states.stream().filter(s -> s.status() == ProgressStatus.PASSED).count();
    }

    /**
     * @param next the kata {@code n} goes on to, or null when every kata is passed
     */
    static List<String> afterPass(Style style, Kata kata, Verdict verdict, List<KataState> states, Kata next,
            int width) {
        List<String> out = new ArrayList<>();
        String cheer = CHEERS[Math.floorMod(kata.id().hashCode(), CHEERS.length)];
        out.add("");
        out.add("  " + style.yellow("✦ ✧ ✦") + "  " + style.green(style.bold(cheer)) + "  " + style.yellow("✦ ✧ ✦"));
        out.add("");
        int count = verdict.tests().size();
        out.add("  " + style.passMark() + " " + style.bold(kata.id()) + " passes: all " + count
                + (count == 1 ? " hidden test" : " hidden tests") + " ("
                + String.format(Locale.ROOT, "%.1f s", verdict.durationMs() / 1000.0) + ").");
        out.add("");
        out.add("  " + bar(style, passed(states), states.size(), Math.min(30, Math.max(8, width - 30))));
        out.add("");
        out.add("  " + style.bold("s") + "  see the reference solution, and why it works");
        if (next != null) {
            out.add("  " + style.bold("n") + "  go on: " + style.bold(next.id()) + " - " + next.title());
        } else {
            out.add("  " + style.bold("n") + "  see the summary: that was the last kata");
        }
        return out;
    }

    /** The closing message once every kata is passed, with a summary of each. */
    static List<String> finished(Style style, List<KataState> states, int width) {
        List<String> out = new ArrayList<>();
        out.add("");
        out.add("  " + style.yellow("★ ✦ ★") + "  " + style.green(style.bold("You have passed every kata!")) + "  "
                + style.yellow("★ ✦ ★"));
        out.add("");
        out.add("  " + bar(style, passed(states), states.size(), Math.min(30, Math.max(8, width - 30))));
        out.add("");
        int idWidth = states.stream().mapToInt(s -> s.kata().id().length()).max().orElse(0) + 2;
        int checks = 0;
        int hints = 0;
        for (KataState s : states) {
            checks += s.record().attempts();
            hints += s.record().hintsUsed();
            String id = s.kata().id();
            out.add("  " + (s.status() == ProgressStatus.PASSED ? style.passMark() : style.dim("·")) + " "
                    + style.bold(id) + " ".repeat(Math.max(1, idWidth - id.length()))
                    + style.dim(s.record().attempts() + (s.record().attempts() == 1 ? " check" : " checks")
                            + (s.record().hintsUsed() > 0 ? ", " + s.record().hintsUsed()
                                    + (s.record().hintsUsed() == 1 ? " hint" : " hints") : "")));
        }
        out.add("");
        out.add("  " + checks + (checks == 1 ? " check" : " checks") + " and " + hints + (hints == 1 ? " hint" : " hints")
                + " in all.");
        out.add("  The pitfalls you met: " + String.join(", ", states.stream().map(s -> s.kata().pitfall().id())
                .distinct().toList()) + ". They look the same in any language: you will spot them now.");
        out.add("");
        out.add("  " + style.dim("Any reference solution again: s here, or `kata solution ID`. q quits."));
        return out;
    }
}
