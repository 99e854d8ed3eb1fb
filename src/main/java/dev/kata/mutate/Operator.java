package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import java.util.List;

/**
 * A concurrency mutation operator (after ConMAn, Bradbury, Cordy and Dingel 2006): where in a
 * unit it applies, and how. {@link #sites} must find the same places, in the same order, in every
 * fresh parse of the same source: a mutant is the i-th site of a fresh parse, applied.
 */
interface Operator {
    /** Kebab-case, as it stands in mutant ids: {@code remove-volatile}. */
    String id();

    /** What the operator does, for people: "removes the volatile modifier of a field". */
    String does();

    List<Site> sites(CompilationUnit unit);
}
