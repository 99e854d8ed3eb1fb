package dev.kata.mutate;

import dev.kata.catalog.MutantPatch;

/**
 * A wrong fix derived from a reference solution by one operator at one place.
 *
 * @param id       {@code operator:File.java:member:n}: the n-th place the operator applies in that
 *                 member of that file; independent of line numbers
 * @param operator the operator's id
 * @param file     the file changed, e.g. {@code PatientCache.java}
 * @param original the file as the solution has it
 * @param mutated  the file as the mutant has it
 */
public record Mutant(String id, String operator, String file, String original, String mutated) {

    /** The change as a unified diff of the file, which saved as {@code mutants/<name>.patch} is a hand-written mutant. */
    public String diff() {
        return MutantPatch.between(file, "mutant", original, mutated);
    }
}
