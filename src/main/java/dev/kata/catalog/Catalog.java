package dev.kata.catalog;

import java.nio.file.Path;
import java.util.List;
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
        return Suggestions.closest(typed, katas().stream().map(Kata::id).toList());
    }
}
