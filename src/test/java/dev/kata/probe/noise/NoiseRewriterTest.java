package dev.kata.probe.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.RewrittenClasses;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

class NoiseRewriterTest {
    private static final String LEARNER = Racer.class.getName();

    @Test
    void pausesFollowAtomicAndVolatileReadsAndPrecedeFieldWritesOutsideConstructors() throws IOException {
        Map<String, Integer> pauses = pausesByMethod(NoiseRewriter.rewrite(bytesOf(Racer.class)));
        assertEquals(1, pauses.get("checkThenCount"), pauses.toString());
        assertEquals(0, pauses.getOrDefault("plainValue", 0), pauses.toString());
        assertEquals(1, pauses.get("splitIncrement"), pauses.toString());
        assertEquals(0, pauses.getOrDefault("atomicIncrement", 0), pauses.toString());
        assertEquals(1, pauses.get("plainIncrement"), pauses.toString());
        assertEquals(1, pauses.get("atomicValue"), pauses.toString());
        assertEquals(0, pauses.getOrDefault("<init>", 0), pauses.toString());
        assertTrue(pauses.getOrDefault("addIfRoom", 0) >= 1, pauses.toString());
        assertTrue(pauses.getOrDefault("addIfRoomLocked", 0) >= 1, pauses.toString());
    }

    @Test
    void aCheckUnderALockActedOnAfterItIsCaughtUnderNoise() throws Exception {
        for (String method : new String[] {"addIfRoom", "addIfRoomLocked"}) {
            int most = 0;
            for (int round = 0; round < 20 && most < 2; round++) {
                Object racer = learnerClass().getConstructor().newInstance();
                race(racer, method, 1);
                most = Math.max(most, (int) racer.getClass().getMethod("items").invoke(racer));
            }
            assertEquals(2, most, method + ": two threads looked for room for one item at once, 20 times; both never took it");
        }
    }

    @Test
    void aWorkerThatCountsItselfInOnlyOnceItRunsIsCaughtUnderNoise() throws Exception {
        assertEquals(1, pausesByMethod(NoiseRewriter.rewrite(bytesOf(Racer.class))).get("countsInOnceRunning"),
                "a pause after the atomic read of the result");
        assertEquals(2, pausesByMethod(NoiseRewriter.rewrite(bytesOf(Racer.class)), "afterStart").get("countsInOnceRunning"),
                "a pause after each of the two starts");
        Object racer = learnerClass().getConstructor().newInstance();
        for (String method : new String[] {"countsInOnceRunning", "countsInOnceRunningStartedByReference"}) {
            int most = 0;
            for (int round = 0; round < 20 && most < 2; round++) {
                most = Math.max(most, (int) racer.getClass().getMethod(method).invoke(racer));
            }
            assertEquals(2, most, method + ": the first worker, started and paused after, never ended before the second"
                    + " counted itself in");
        }
    }

    @Test
    void aNewHashMapIsWatchedAndASubclassOfItsOwnIsLeftAlone() throws Exception {
        Class<?> racer = learnerClass();
        Object map = racer.getMethod("newMap").invoke(racer.getConstructor().newInstance());
        assertEquals(WatchedHashMap.class, map.getClass());
        Object table = racer.getClassLoader().loadClass(LEARNER + "$Table").getConstructor().newInstance();
        assertEquals(LEARNER + "$Table", table.getClass().getName());
        assertEquals(java.util.HashMap.class, table.getClass().getSuperclass());
    }

    @Test
    void bytesThatAreNotAClassPassThroughUnchanged() {
        byte[] garbage = {1, 2, 3};
        assertSame(garbage, NoiseRewriter.rewrite(garbage));
    }

    private static final int ROUNDS = 40;

    private static void race(Object racer, String method) throws Exception {
        race(racer, method, ROUNDS);
    }

    private static void race(Object racer, String method, int rounds) throws Exception {
        Method m = racer.getClass().getMethod(method);
        CyclicBarrier start = new CyclicBarrier(2);
        Runnable body = () -> {
            try {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    m.invoke(racer);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Thread a = Thread.ofPlatform().start(body);
        Thread b = Thread.ofPlatform().start(body);
        a.join();
        b.join();
    }

    private static Map<String, Integer> pausesByMethod(byte[] classFile) {
        return pausesByMethod(classFile, "point");
    }

    private static Map<String, Integer> pausesByMethod(byte[] classFile, String kind) {
        Map<String, Integer> pauses = new TreeMap<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
                        if (owner.equals("dev/kata/probe/noise/Noise") && method.equals(kind)) {
                            pauses.merge(name, 1, Integer::sum);
                        }
                    }
                };
            }
        }, 0);
        return pauses;
    }

    private static byte[] bytesOf(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Racer, loaded as the probe loads a learner class: from the classes folder, rewritten. */
    private static Class<?> learnerClass() throws Exception {
        return RewrittenClasses.load(Racer.class, NoiseRewriter::rewrite);
    }
}
