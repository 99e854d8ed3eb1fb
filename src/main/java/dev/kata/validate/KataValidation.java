package dev.kata.validate;

import java.util.List;

/**
 * A kata's validation: problems with the kata itself (too few mutants) and each variant's result.
 */
public record KataValidation(String kataId, List<String> kataProblems, List<VariantResult> variants) {

    public boolean ok() {
        return kataProblems.isEmpty() && variants.stream().allMatch(VariantResult::ok);
    }
}
