package dev.kata.validate;

import dev.kata.catalog.Kata;
import dev.kata.grader.Verdict;
import dev.kata.probe.api.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One source folder of a kata and the verdict it must get: the starter fails for the kata's
 * pitfall, the solution passes, every mutant fails.
 *
 * @param label  {@code starter}, {@code solution} or {@code mutant:<name>}
 * @param dir    the folder graded
 * @param pass   whether it must pass
 * @param reason the reason it must fail with, or null for any failure
 */
public record Variant(String label, Path dir, boolean pass, Reason reason) {

    /** The kata's variants, its mutants written out into {@code mutants}. */
    static List<Variant> of(Kata kata, MutantFolders mutants) {
        List<Variant> out = new ArrayList<>();
        out.add(new Variant("starter", kata.starterDir(), false, kata.pitfall()));
        out.add(new Variant("solution", kata.solutionDir(), true, null));
        for (String mutant : kata.mutants().keySet()) {
            out.add(new Variant("mutant:" + mutant, mutants.write(kata, mutant), false, null));
        }
        return out;
    }

    /** Whether any failure will do (a mutant), so that its check may stop at the first one. */
    boolean anyFailure() {
        return !pass && reason == null;
    }

    /** Null if {@code verdict} is what this variant must get, else what is wrong. */
    String problemWith(Verdict verdict) {
        if (verdict.status() == dev.kata.grader.Status.INCONCLUSIVE) {
            return "inconclusive (the tutor could not tell): " + verdict.summary();
        }
        if (pass && !verdict.passed()) {
            return "must pass, but fails: " + (verdict.reason() == null ? "" : verdict.reason().id() + ": ")
                    + verdict.summary();
        }
        if (!pass && verdict.passed()) {
            return "must fail, but passes";
        }
        if (!pass && (verdict.reason() == Reason.CRASH || verdict.reason() == Reason.CHECK_TIMEOUT)) {
            return "fails only because the check broke down (" + verdict.reason().id() + "): " + verdict.summary();
        }
        if (!pass && reason != null && verdict.reason() != reason) {
            return "must fail with " + reason.id() + ", but fails with " + verdict.reason().id() + ": "
                    + verdict.summary();
        }
        return null;
    }
}
