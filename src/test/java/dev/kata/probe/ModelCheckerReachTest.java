package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ModelCheckerReachTest {

    /** Loads on the common pool: the model checker never schedules its worker. */
    static final class OnTheCommonPool {
        final ConcurrentHashMap<String, CompletableFuture<String>> loads = new ConcurrentHashMap<>();

        String get(String id) {
            return loads.computeIfAbsent(id, k -> CompletableFuture.supplyAsync(() -> k.toUpperCase())).join();
        }
    }

    /** Everything on the caller's thread: what the model checker follows. */
    static final class OnTheCallersThread {
        final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

        synchronized String get(String id) {
            return cache.computeIfAbsent(id, String::toUpperCase);
        }
    }

    @Test
    void workHandedToAPoolIsFoundWithItsLine() throws IOException {
        String found = ModelCheckerReach.firstHandOff(bytes(OnTheCommonPool.class));
        assertTrue(found != null && found.startsWith("CompletableFuture.supplyAsync at ModelCheckerReachTest.java:"),
                String.valueOf(found));
    }

    @Test
    void codeThatKeepsToItsCallersThreadsIsLeftToTheModelChecker() throws IOException {
        assertNull(ModelCheckerReach.firstHandOff(bytes(OnTheCallersThread.class)));
    }

    @Test
    void poolsVirtualThreadsAndParallelStreamsHandOffAndPlainThreadsDoNot() {
        assertTrue(ModelCheckerReach.handsOff("java/util/concurrent/Executors", "newVirtualThreadPerTaskExecutor"));
        assertTrue(ModelCheckerReach.handsOff("java/util/concurrent/ExecutorService", "submit"));
        assertTrue(ModelCheckerReach.handsOff("java/lang/Thread", "ofVirtual"));
        assertTrue(ModelCheckerReach.handsOff("java/util/List", "parallelStream"));
        assertTrue(ModelCheckerReach.handsOff("java/util/concurrent/CompletableFuture", "runAsync"));
        for (List<String> call : List.of(List.of("java/lang/Thread", "start"), List.of("java/lang/Thread", "ofPlatform"),
                List.of("java/util/concurrent/CompletableFuture", "join"), List.of("java/util/List", "stream"),
                List.of("java/util/concurrent/locks/ReentrantLock", "lock"))) {
            assertFalse(ModelCheckerReach.handsOff(call.get(0), call.get(1)), call.toString());
        }
        assertFalse(ModelCheckerReach.handsOff("java/util/concurrent/CompletableFuture", "thenApply"));
    }

    private static byte[] bytes(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getName().substring(type.getName().lastIndexOf('.') + 1)
                + ".class")) {
            return in.readAllBytes();
        }
    }
}
