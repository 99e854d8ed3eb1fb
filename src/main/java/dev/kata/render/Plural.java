package dev.kata.render;

/** A count with its noun in the right number: "1 kata", "2 katas", "1 mutant". */
public final class Plural {
    private Plural() {
    }

    /** {@code n} and the noun, with an "s" unless n is 1. */
    public static String of(long n, String singular) {
        return of(n, singular, singular + "s");
    }

    public static String of(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
