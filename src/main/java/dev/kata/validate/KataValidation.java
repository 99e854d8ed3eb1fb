package dev.kata.validate;

import java.util.List;

/**
 * A kata's validation: problems with the kata itself (too few mutants, a contract clause no test
 * holds), warnings that do not make it invalid, and each variant's result.
 */
public record KataValidation(String kataId, List<String> kataProblems, List<String> warnings,
                             List<VariantResult> variants) {

    public boolean ok() {
        return kataProblems.isEmpty() && variants.stream().allMatch(VariantResult::ok);
    }
}
