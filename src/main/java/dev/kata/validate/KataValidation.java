package dev.kata.validate;

import java.util.List;

/**
 * A kata's validation: problems with the kata itself (too few mutants, a contract clause no test
 * holds), warnings that do not make it invalid, each variant's result, and what became of the
 * generated mutants ({@code validate --mutate}; null without).
 */
public record KataValidation(String kataId, List<String> kataProblems, List<String> warnings,
                             List<VariantResult> variants, MutationReport mutation) {

    public boolean ok() {
        return kataProblems.isEmpty() && variants.stream().allMatch(VariantResult::ok)
                && (mutation == null || mutation.ok());
    }
}
