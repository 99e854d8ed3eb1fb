package dev.kata.catalog;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Names close to a mistyped one: same prefix, containing it, or a few edits away. */
public final class Suggestions {
    private Suggestions() {
    }

    /** At most three of {@code names}, closest first. */
    public static List<String> closest(String typed, Collection<String> names) {
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

    /** The names fewest edits away from {@code typed} (a swap of two neighbours is one edit), if at most {@code maxEdits}. */
    public static List<String> fewestEdits(String typed, Collection<String> names, int maxEdits) {
        String wanted = typed.toLowerCase(Locale.ROOT).trim();
        int best = names.stream().mapToInt(n -> editDistance(wanted, n)).min().orElse(Integer.MAX_VALUE);
        if (wanted.isEmpty() || best > maxEdits) {
            return List.of();
        }
        return names.stream().filter(n -> editDistance(wanted, n) == best).sorted().toList();
    }

    private static int score(String typed, String name) {
        if (name.startsWith(typed) || name.contains(typed)) {
            return 0;
        }
        return editDistance(typed, name);
    }

    /** Levenshtein distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
