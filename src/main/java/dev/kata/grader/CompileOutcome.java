package dev.kata.grader;

import java.util.List;
import java.util.Set;

/**
 * What compiling the learner's files with the hidden tests gave.
 *
 * @param learnerErrors  errors in the learner's own files (a compile error)
 * @param apiProblems    what the hidden tests need and the learner's code no longer offers
 * @param learnerClasses top-level classes compiled from the learner's files
 * @param testClasses    top-level classes compiled from the hidden tests
 */
record CompileOutcome(
        List<CompileDiagnostic> learnerErrors,
        List<String> apiProblems,
        Set<String> learnerClasses,
        Set<String> testClasses) {

    boolean ok() {
        return learnerErrors.isEmpty() && apiProblems.isEmpty();
    }
}
