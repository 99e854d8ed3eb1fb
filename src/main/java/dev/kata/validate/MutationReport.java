package dev.kata.validate;

import dev.kata.mutate.Mutant;
import java.util.List;

/**
 * What {@code kata validate --mutate} found for one kata: the mutants generated from its reference
 * solution and what became of them.
 *
 * @param generated   distinct mutants the operators made
 * @param notCompiled of those, how many did not compile (dropped)
 * @param killed      compiled mutants that failed on every run
 * @param equivalent  mutants the kata's {@code [equivalent]} declares (not graded)
 * @param survivors   compiled mutants that passed at least once and are not declared equivalent
 * @param problems    make the kata invalid: a declared equivalent no operator makes, a check that broke down
 * @param warnings    do not: mutants an operator made but could not print
 * @param durationMs  wall time of this kata's mutant checks, summed
 */
public record MutationReport(int generated, int notCompiled, int killed, int equivalent, List<Survivor> survivors,
                             List<String> problems, List<String> warnings, long durationMs) {

    public boolean ok() {
        return survivors.isEmpty() && problems.isEmpty();
    }

    /**
     * A mutant the hidden tests let through.
     *
     * @param mutant   what it is, with its diff against the solution
     * @param verdicts the verdict of each run, up to the first pass ("pass", or a reason)
     */
    public record Survivor(Mutant mutant, List<String> verdicts) {
    }
}
