package dev.kata.catalog;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Names close to a mistyped one: same prefix, containing it, or a few edits away. */
final class Suggestions {
    private Suggestions() {
    }

    /** At most three of {@code names}, closest first. */
    static List<String> closest(String typed, Collection<String> names) {
        String wanted = typed.toLowerCase(Locale.ROOT).trim();
        if (wanted.isEmpty()) {
            return List.of();
        }
        record Scored(String name, int score) {
        }
        return names.stream()
                .map(n -> new Scored(n, score(wanted, n)))
                .filter(s -> s.score() <= Math.max(2, wanted.length() / 3))
                .sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::name))
                .limit(3)
                .map(Scored::name)
                .toList();
    }

    private static int score(String typed, String name) {
        if (name.startsWith(typed) || name.contains(typed)) {
            return 0;
        }
        return editDistance(typed, name);
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
