package dev.kata.catalog;

import java.nio.file.Path;
import java.util.List;

/**
 * A kata's contract ({@code contract.toml}): the clauses of its story's "Your task", each with the
 * hidden tests that hold it.
 *
 * @param file    where it was read from
 * @param clauses in file order
 */
public record Contract(Path file, List<Clause> clauses) {

    /**
     * @param id    kebab-case, unique in the kata
     * @param says  the clause as the story states it
     * @param tests test method names, {@code method} (in the kata's main test class) or {@code Class.method}
     * @param paths the scenarios those tests draw for this clause, as short free text
     */
    public record Clause(String id, String says, List<String> tests, List<String> paths) {
    }
}
