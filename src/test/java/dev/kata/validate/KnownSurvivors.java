package dev.kata.validate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code known-survivors.txt}: generated mutants of the built-in katas that the hidden tests do
 * not yet kill on every run. One line each: the kata id, the mutant id, then why it is still let
 * through. It is a list of debts, not of equivalents: each is a wrong fix a learner could get
 * graded as right.
 */
final class KnownSurvivors {
    private KnownSurvivors() {
    }

    static Map<String, Set<String>> read() throws IOException {
        Map<String, Set<String>> known = new HashMap<>();
        try (InputStream in = KnownSurvivors.class.getResourceAsStream("/known-survivors.txt")) {
            if (in == null) {
                return known;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] fields = text.split("\\s+", 3);
                if (fields.length < 3) {
                    throw new IllegalStateException("known-survivors.txt: '" + text + "' needs a kata id, a mutant id and why");
                }
                known.computeIfAbsent(fields[0], k -> new HashSet<>()).add(fields[1]);
            }
        }
        return known;
    }
}
