package dev.kata.catalog;

import java.util.List;

/** A group of katas meant to be done in order, as listed in {@code pack.toml}. */
public record Track(String id, String title, List<Kata> katas) {
    public Track {
        katas = List.copyOf(katas);
    }
}
