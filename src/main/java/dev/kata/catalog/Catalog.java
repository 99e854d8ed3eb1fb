package dev.kata.catalog;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A loaded pack: its katas in the order of its tracks. */
public record Catalog(String name, String version, String description, Path dir, List<Track> tracks) {
    public Catalog {
        tracks = List.copyOf(tracks);
    }

    /** Every kata, in the order of the tracks and then of the katas within a track. */
    public List<Kata> katas() {
        return tracks.stream().flatMap(t -> t.katas().stream()).toList();
    }

    public Optional<Kata> find(String id) {
        return katas().stream().filter(k -> k.id().equals(id)).findFirst();
    }

    /** The kata with this id, or an {@link UnknownKataException} that suggests close ids. */
    public Kata require(String id) {
        return find(id).orElseThrow(() -> new UnknownKataException(id, suggestionsFor(id)));
    }

    public Track track(Kata kata) {
        return tracks.stream().filter(t -> t.id().equals(kata.track())).findFirst().orElseThrow();
    }

    /** Ids close to a mistyped one: same prefix, containing it, or a few edits away. */
    public List<String> suggestionsFor(String typed) {
        String wanted = typed.toLowerCase(Locale.ROOT).trim();
        if (wanted.isEmpty()) {
            return List.of();
        }
        record Scored(String id, int score) {
        }
        return katas().stream()
                .map(k -> new Scored(k.id(), score(wanted, k.id())))
                .filter(s -> s.score() <= Math.max(2, wanted.length() / 3))
                .sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::id))
                .limit(3)
                .map(Scored::id)
                .toList();
    }

    private static int score(String typed, String id) {
        if (id.startsWith(typed) || id.contains(typed)) {
            return 0;
        }
        return editDistance(typed, id);
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
