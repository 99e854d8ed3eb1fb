package dev.kata.probe.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class WatchedHashMapTest {

    @Test
    void twoThreadsChangingTheMapAtOnceAreSeen() throws Exception {
        long mark = Collisions.mark();
        Map<Integer, Integer> map = new WatchedHashMap<>();
        race(i -> map.put(i, i));
        Collisions.Collision seen = Collisions.firstSince(mark);
        assertNotNull(seen, "two threads put 200 entries each into one map at once");
        assertTrue(seen.first().contains("in put at WatchedHashMapTest.java:"), seen.toString());
    }

    @Test
    void threadsWithoutANameAreSaidToBeUnnamedNotQuotedEmpty() throws Exception {
        long mark = Collisions.mark();
        Map<Integer, Integer> map = new WatchedHashMap<>();
        race(Thread.ofVirtual(), i -> map.put(i, i));
        Collisions.Collision seen = Collisions.firstSince(mark);
        assertNotNull(seen, "two virtual threads put 200 entries each into one map at once");
        assertTrue(seen.first().startsWith("an unnamed virtual thread (#"), seen.toString());
        assertTrue(seen.second().startsWith("an unnamed virtual thread (#"), seen.toString());
    }

    @Test
    void aMapGuardedByOneLockIsNeverFlagged() throws Exception {
        long mark = Collisions.mark();
        Map<Integer, Integer> map = new WatchedHashMap<>();
        race(i -> {
            synchronized (map) {
                map.put(i, map.getOrDefault(i, 0) + 1);
            }
        });
        assertNull(Collisions.firstSince(mark));
        assertEquals(200, map.size());
    }

    @Test
    void oneThreadReadingInsideItsOwnChangeIsNotACollision() {
        long mark = Collisions.mark();
        Map<String, Integer> map = new WatchedHashMap<>();
        map.put("a", 1);
        map.computeIfAbsent("b", k -> map.get("a") + 1);
        assertEquals(2, map.get("b"));
        assertNull(Collisions.firstSince(mark));
    }

    private static void race(java.util.function.IntConsumer step) throws Exception {
        race(null, step);
    }

    /** Two threads doing {@code step} 200 times at once: named platform threads, or unnamed ones of {@code builder}. */
    private static void race(Thread.Builder builder, java.util.function.IntConsumer step) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Runnable body = () -> {
            try {
                start.await();
                for (int i = 0; i < 200; i++) {
                    step.accept(i);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Thread a = builder == null ? Thread.ofPlatform().name("racer-a").start(body) : builder.start(body);
        Thread b = builder == null ? Thread.ofPlatform().name("racer-b").start(body) : builder.start(body);
        a.join();
        b.join();
    }
}
