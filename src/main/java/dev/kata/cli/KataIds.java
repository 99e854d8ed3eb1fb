package dev.kata.cli;

import dev.kata.catalog.BuiltInPack;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import java.util.Iterator;
import java.util.List;

/** The ids of the built-in katas, for shell completion; empty when the pack cannot be loaded. */
public final class KataIds implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        try {
            var dir = BuiltInPack.locate(System.getProperty("kata.home"), BuiltInPack.codeLocation());
            return new CatalogLoader().load(dir).katas().stream().map(Kata::id).iterator();
        } catch (RuntimeException e) {
            return List.<String>of().iterator();
        }
    }
}
