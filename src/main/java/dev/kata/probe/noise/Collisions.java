package dev.kata.probe.noise;

import java.util.ArrayList;
import java.util.List;

/**
 * Two threads seen inside one non-thread-safe collection at the same time, at least one of them
 * changing it (see {@link WatchedHashMap}). Kept for the probe, which fails the test that saw one.
 */
public final class Collisions {
    /** One collision: the collection, where it was made, and the two threads with the learner's lines. */
    public record Collision(long sequence, String collection, String madeAt, String first, String second,
            String location) {
    }

    private static final List<Collision> SEEN = new ArrayList<>();
    private static long count;

    private Collisions() {
    }

    static void seen(String collection, String madeAt, String first, String second, String location) {
        synchronized (SEEN) {
            count++;
            if (SEEN.size() < 16) { // the first few tell the story; a corrupted map can collide a million times
                SEEN.add(new Collision(count, collection, madeAt, first, second, location));
            }
        }
    }

    /** A mark for {@link #firstSince}. */
    public static long mark() {
        synchronized (SEEN) {
            return count;
        }
    }

    /** The first collision seen after {@code mark}, or null. */
    public static Collision firstSince(long mark) {
        synchronized (SEEN) {
            return SEEN.stream().filter(c -> c.sequence() > mark).findFirst().orElse(null);
        }
    }
}
