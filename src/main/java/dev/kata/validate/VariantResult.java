package dev.kata.validate;

import java.util.List;

/**
 * How one variant fared over the repeated runs.
 *
 * @param variant   what was graded and what it must get
 * @param runs      how many times it was graded
 * @param problems  one line per run that went wrong (empty when every run was right)
 * @param reasons   the verdict reason of each run ("pass" for a pass), to show flakiness
 * @param medianMs  median duration of one check
 */
public record VariantResult(Variant variant, int runs, List<String> problems, List<String> reasons, long medianMs) {

    public boolean ok() {
        return problems.isEmpty();
    }

    /** Right on some runs and wrong on others. */
    public boolean flaky() {
        return !problems.isEmpty() && problems.size() < runs;
    }
}
