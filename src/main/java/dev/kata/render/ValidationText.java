package dev.kata.render;

import dev.kata.validate.KataValidation;
import dev.kata.validate.MutationReport;
import dev.kata.validate.VariantResult;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code kata validate} for people: a line per kata, and the details only where something is wrong. */
public final class ValidationText {
    private final Style style;

    public ValidationText(Style style) {
        this.style = style;
    }

    public String line(KataValidation k) {
        StringBuilder s = new StringBuilder();
        if (k.ok()) {
            s.append(style.green(style.marks("✔ "))).append(k.kataId()).append(style.dim("  " + summary(k)));
            for (String w : k.warnings()) {
                s.append("\n    ").append(style.yellow("warning: ")).append(w);
            }
            if (k.mutation() != null) {
                s.append("\n    ").append(style.dim(mutationSummary(k.mutation())));
                k.mutation().warnings().forEach(w -> s.append("\n    ").append(style.yellow("warning: ")).append(w));
            }
        } else {
            s.append(style.red(style.marks("✘ "))).append(style.bold(k.kataId()));
            for (String p : k.kataProblems()) {
                s.append("\n    ").append(p);
            }
            for (String w : k.warnings()) {
                s.append("\n    ").append(style.yellow("warning: ")).append(w);
            }
            if (k.mutation() != null) {
                mutation(k.mutation(), s);
            }
            for (VariantResult v : k.variants()) {
                if (v.ok()) {
                    continue;
                }
                s.append("\n    ").append(v.variant().label()).append(v.flaky() ? style.yellow(" (flaky)") : "")
                        .append(": verdicts ").append(String.join(", ", v.reasons()));
                for (String p : v.problems()) {
                    s.append("\n      ").append(p);
                }
            }
        }
        return s.toString();
    }

    /** "generated mutants: 14 · 2 do not compile · 11 killed · 1 equivalent · 0 survive · 9.5 s". */
    public static String mutationSummary(MutationReport m) {
        return "generated mutants: " + m.generated() + " · " + m.notCompiled() + " do not compile · " + m.killed()
                + " killed · " + m.equivalent() + " equivalent · " + m.survivors().size() + " survive · "
                + String.format("%.1f s", m.durationMs() / 1000.0);
    }

    private void mutation(MutationReport m, StringBuilder s) {
        s.append("\n    ").append(mutationSummary(m));
        m.problems().forEach(p -> s.append("\n    ").append(p));
        m.warnings().forEach(w -> s.append("\n    ").append(style.yellow("warning: ")).append(w));
        for (MutationReport.Survivor survivor : m.survivors()) {
            s.append("\n    ").append(style.red("survivor ")).append(style.bold(survivor.mutant().id()))
                    .append(style.dim(" (verdicts: " + String.join(", ", survivor.verdicts())
                            + "; not a wrong fix? declare it in kata.toml's [equivalent] with the reason)"));
            for (String line : survivor.mutant().diff().stripTrailing().split("\n")) {
                String shown = line.startsWith("+") && !line.startsWith("+++") ? style.green(line)
                        : line.startsWith("-") && !line.startsWith("---") ? style.red(line) : line;
                s.append("\n      ").append(shown);
            }
        }
    }

    /** A problem of the pack as a whole, e.g. a kata folder that no track lists. */
    public String packProblem(String problem) {
        return style.red(style.marks("✘ ")) + problem;
    }

    /** The built-in katas a pack includes, which its validation leaves to kata's own. */
    public String notGraded(List<String> included) {
        return style.dim("· " + String.join(", ", included) + ": built-in, validated with kata itself"
                + " (name " + (included.size() == 1 ? "it" : "them") + " to grade " + (included.size() == 1 ? "it" : "them")
                + " here too)");
    }

    /** After the footer: a nudge to repeat, when each check ran once (a flaky test shows only over runs). */
    public String repeatAdvice(int repeat) {
        return repeat > 1 ? "" : style.dim("  (each graded once: --repeat 5 also catches flaky tests)");
    }

    public String footer(List<KataValidation> all, long durationMs) {
        long bad = all.stream().filter(k -> !k.ok()).count();
        String time = String.format("%.1f s", durationMs / 1000.0);
        if (bad == 0) {
            return style.green(Plural.of(all.size(), "kata") + " valid") + " in " + time;
        }
        return style.red(bad + " of " + Plural.of(all.size(), "kata") + " invalid") + " in " + time;
    }

    /** "starter: leak ×3 · solution: pass ×3 · 4 mutants fail ×3 · 0.9 s median". */
    private static String summary(KataValidation k) {
        StringBuilder s = new StringBuilder();
        int mutants = 0;
        int runs = 0;
        long slowest = 0;
        for (VariantResult v : k.variants()) {
            runs = v.runs();
            slowest = Math.max(slowest, v.medianMs());
            if (v.variant().label().startsWith("mutant:")) {
                mutants++;
            } else {
                Map<String, Integer> counts = new TreeMap<>();
                v.reasons().forEach(r -> counts.merge(r, 1, Integer::sum));
                counts.forEach((r, n) -> s.append(v.variant().label()).append(": ").append(r).append(" ×").append(n)
                        .append(" · "));
            }
        }
        s.append(Plural.of(mutants, "mutant")).append(" fail ×").append(runs).append(" · slowest check ")
                .append(String.format("%.1f s", slowest / 1000.0));
        return s.toString();
    }
}
