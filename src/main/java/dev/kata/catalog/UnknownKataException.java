package dev.kata.catalog;

import dev.kata.KataException;
import java.util.List;

/** An id that names no kata of the pack; the message suggests the closest ids. */
public final class UnknownKataException extends KataException {
    private static final long serialVersionUID = 1L;

    public UnknownKataException(String id, List<String> suggestions) {
        super(message(id, suggestions));
    }

    private static String message(String id, List<String> suggestions) {
        StringBuilder text = new StringBuilder("there is no kata '").append(id).append("'.");
        if (suggestions.size() == 1) {
            text.append(" Did you mean '").append(suggestions.get(0)).append("'?");
        } else if (!suggestions.isEmpty()) {
            text.append(" Did you mean one of: ").append(String.join(", ", suggestions)).append('?');
        }
        return text.append(" Run `kata list` to see them all.").toString();
    }
}
