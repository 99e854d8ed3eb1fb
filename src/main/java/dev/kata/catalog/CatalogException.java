package dev.kata.catalog;

import dev.kata.KataException;
import java.util.List;

/** A pack that cannot be loaded; each problem names the file and, where there is one, the field. */
public final class CatalogException extends KataException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public CatalogException(List<String> problems) {
        super(problems.size() == 1
                ? problems.get(0)
                : "the kata pack has " + problems.size() + " problems:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public CatalogException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
