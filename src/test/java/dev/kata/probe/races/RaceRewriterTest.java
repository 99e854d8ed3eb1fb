package dev.kata.probe.races;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.RewrittenClasses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RaceRewriterTest {
    private static final String LEARNER = RaceFixture.class.getName();

    @Test
    void aLoopOnAPlainFlagIsARaceOnTheFlagAndAVolatileFlagIsNot() throws Exception {
        List<Races.Race> races = racesOfAnOverlappingRound("plainStopFlag");
        assertEquals(1, races.size(), races.toString());
        Races.Race race = races.get(0);
        assertEquals("RaceFixture.plainFlag", race.field());
        assertEquals("read", race.access());
        assertTrue(race.at().startsWith("RaceFixture.java:"), race.at());
        assertEquals("plainStopFlag", race.otherMethod());

        assertEquals(List.of(), racesOf(fixture(), "volatileStopFlag"));
    }

    @Test
    void aJoinOrdersTheWorkersWriteBeforeTheRead() throws Exception {
        Object fixture = fixture();
        long mark = Races.mark();
        assertEquals(42L, call(fixture, "joinedResult"));
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void aHandOffInTheTestsOwnCodeIsSeenThroughTheEntryIntoTheLearnersCode() throws Exception {
        Object fixture = fixture();
        CountDownLatch written = new CountDownLatch(1);
        long mark = Races.mark();
        Thread writer = new Thread(() -> {
            call(fixture, "set", 7);
            written.countDown();
        });
        writer.start();
        written.await();
        assertEquals(7, call(fixture, "get"));
        writer.join();
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void anIsolatedReaderIsOrderedOnlyByTheLearnersCode() throws Exception {
        Object fixture = fixture();
        call(fixture, "set", 1);
        call(fixture, "setLocked", 1);
        CountDownLatch isolated = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        int[] seen = new int[3];
        long mark = Races.mark();
        Thread reader = new Thread(() -> {
            Races.isolate();
            seen[0] = (int) call(fixture, "get"); // written before it isolated: ordered
            isolated.countDown();
            await(written);
            seen[1] = (int) call(fixture, "get"); // ordered only by the test's latch, which it no longer counts
            seen[2] = (int) call(fixture, "getLocked"); // ordered by the learner's lock
        });
        reader.start();
        isolated.await();
        call(fixture, "setLocked", 2);
        call(fixture, "set", 2);
        written.countDown();
        reader.join();
        assertEquals(List.of(1, 2, 2), List.of(seen[0], seen[1], seen[2]));
        List<Races.Race> races = Races.since(mark);
        assertEquals(1, races.size(), races.toString());
        assertEquals("RaceFixture.value", races.get(0).field());
        assertEquals("get", races.get(0).method());
    }

    @Test
    void twoThreadsAddingToAPlainCounterRace() throws Exception {
        List<Races.Race> races = racesOfAnOverlappingRound("plainCount");
        assertEquals("RaceFixture.count", races.get(0).field(), races.toString());
    }

    @Test
    void countsInAFinalArrayReadWhileAWorkerWritesThemRace() throws Exception {
        List<Races.Race> races = racesOf(fixture(), "plainArrayCounts");
        assertEquals(1, races.size(), races.toString());
        Races.Race race = races.get(0);
        assertTrue(race.onArray(), race.toString());
        assertEquals("element [0] of long[]", race.field());
        assertEquals("plainArrayCounts", race.method());
        assertTrue(race.otherMethod().startsWith("lambda$countingUntilSeen"), race.otherMethod());
    }

    @Test
    void countsReadThroughALocalCopyOfTheFieldRaceToo() throws Exception {
        List<Races.Race> races = racesOf(fixture(), "aliasedArrayCounts");
        assertEquals(1, races.size(), races.toString());
        assertTrue(races.get(0).onArray(), races.toString());
        assertEquals("aliasedArrayCounts", races.get(0).method());
    }

    @Test
    void arrayElementsReadAfterAJoinOrAThreadsOwnArrayDoNotRace() throws Exception {
        assertEquals(List.of(), racesOf(fixture(), "joinedArrayCounts"));
        assertEquals(List.of(), racesOf(fixture(), "ownArray"));
    }

    @Test
    void aSynchronizedGetterAndSetterDoNotRace() throws Exception {
        Object fixture = fixture();
        long mark = Races.mark();
        Thread writer = new Thread(() -> call(fixture, "setSynchronized", 5));
        writer.start();
        while ((int) call(fixture, "getSynchronized") != 5) {
            Thread.onSpinWait();
        }
        writer.join();
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void aReaderThatSpinsWithoutTheWritersLockRaces() throws Exception {
        Object fixture = fixture();
        long mark = Races.mark();
        Thread reader = new Thread(() -> call(fixture, "spinUnlocked"));
        reader.start();
        Thread.sleep(20);
        call(fixture, "setLocked", 3);
        reader.join(2000);
        List<Races.Race> races = Races.since(mark);
        assertEquals("RaceFixture.guarded", races.get(0).field(), races.toString());
        assertEquals("spinUnlocked", races.get(0).method());
    }

    @Test
    void aWriteBeforeAnExceptionIsPublishedWhenTheExceptionLeaves() throws Exception {
        Object fixture = fixture();
        CountDownLatch written = new CountDownLatch(1);
        long mark = Races.mark();
        Thread writer = new Thread(() -> {
            assertThrows(IllegalStateException.class, () -> invoke(fixture, "setThenFail", 9));
            written.countDown();
        });
        writer.start();
        written.await();
        assertEquals(9, call(fixture, "get"));
        writer.join();
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void aHandlerReachedFromACallOutAcquiresWhatTheCallSynchronisedWith() throws Exception {
        Object fixture = fixture();
        long mark = Races.mark();
        Runnable waitsForAWrite = () -> {
            Thread writer = new Thread(() -> call(fixture, "set", 4));
            writer.start();
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("after the write");
        };
        Method read = fixture.getClass().getMethod("readAfterCaught", Runnable.class);
        assertEquals(4, read.invoke(fixture, waitsForAWrite));
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void aHandlerOfAnExceptionTheLearnersCodeThrewItselfAcquiresNothing() throws Exception {
        List<Races.Race> races = racesOf(fixture(), "readInOwnHandlerAfterAnUnorderedWrite");
        assertEquals(1, races.size(), races.toString());
        assertEquals("RaceFixture.value", races.get(0).field());
        assertEquals("read", races.get(0).access());
    }

    @Test
    void twoThreadsChangingAPlainHashMapUnorderedRaceOnItsContents() throws Exception {
        List<Races.Race> races = racesOf(fixture(), "twoThreadsPut", new java.util.HashMap<String, Integer>(), false);
        assertEquals(1, races.size(), races.toString());
        Races.Race race = races.get(0);
        assertTrue(race.onCollection(), race.toString());
        assertEquals("HashMap", race.field());
        assertEquals("put", race.call());
        assertEquals("put", race.otherCall());
    }

    @Test
    void aHashMapGuardedByOneLockOrAConcurrentMapDoesNotRace() throws Exception {
        assertEquals(List.of(), racesOf(fixture(), "twoThreadsPut", new java.util.HashMap<String, Integer>(), true));
        assertEquals(List.of(), racesOf(fixture(), "twoThreadsPut",
                new java.util.concurrent.ConcurrentHashMap<String, Integer>(), false));
    }

    @Test
    void anInterruptOrdersWhatTheInterrupterWroteBeforeTheSleepersHandler() throws Exception {
        Object fixture = fixture();
        long mark = Races.mark();
        assertEquals(true, call(fixture, "stopByInterrupt"));
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void whatTheStaticInitialiserWroteIsOrderedBeforeEveryLaterUseOfTheClass() throws Exception {
        Object fixture = fixture();
        long mark = Races.mark();
        Thread initialiser = new Thread(() -> call(fixture, "initialiseTableAndLinger"));
        Thread reader = new Thread(() -> call(fixture, "tableSizeSoon"));
        initialiser.start();
        reader.start();
        initialiser.join();
        reader.join();
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void aStepOfAnAbstractLearnerTypeRunsCodeThatMaySynchronise() throws Exception {
        Object fixture = fixture();
        Class<?> stepType = fixture.getClass().getClassLoader().loadClass(RaceFixtureStep.class.getName());
        Object step = stepType.getConstructor(fixture.getClass()).newInstance(fixture);
        long mark = Races.mark();
        assertEquals(11, call(fixture, "readAfterStep", step));
        assertEquals(List.of(), Races.since(mark));
    }

    @Test
    void aStepOfAnOpaqueLearnerTypeOrdersNothingThoughItsCodeSynchronises() throws Exception {
        OpaqueTypes opaque = new OpaqueTypes(java.util.Set.of(RaceFixture.Step.class.getName()));
        Object fixture = fixture(opaque);
        Class<?> stepType = fixture.getClass().getClassLoader().loadClass(RaceFixtureStep.class.getName());
        Object step = stepType.getConstructor(fixture.getClass()).newInstance(fixture);
        List<Races.Race> races = racesOf(fixture, "readAfterStep", step);
        assertEquals(1, races.size(), races.toString());
        assertEquals("read", races.get(0).access());
        assertEquals("readAfterStep", races.get(0).method());
        assertEquals("set", races.get(0).otherMethod());
    }

    @Test
    void bytesThatAreNotAClassPassThroughUnchanged() {
        byte[] garbage = {1, 2, 3};
        assertSame(garbage, RaceRewriter.of(type -> null, type -> true).apply(garbage));
    }

    private static List<Races.Race> racesOf(Object fixture, String scenario, Object... args) {
        long mark = Races.mark();
        call(fixture, scenario, args);
        return Races.since(mark);
    }

    /**
     * The races of the first of a few rounds in which they were seen. These scenarios meet only if
     * their threads overlap, which a loaded machine may deny one round (one thread done before the
     * other is scheduled); a detector that misses a race it met fails every round.
     */
    private static List<Races.Race> racesOfAnOverlappingRound(String scenario) throws Exception {
        List<Races.Race> races = List.of();
        for (int round = 0; round < 5 && races.isEmpty(); round++) {
            races = racesOf(fixture(), scenario);
        }
        return races;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object fixture() throws Exception {
        return fixture(new OpaqueTypes(java.util.Set.of()));
    }

    private static Object fixture(OpaqueTypes opaque) throws Exception {
        Class<?> type = RewrittenClasses.load(RaceFixture.class,
                RaceRewriter.of(RaceRewriterTest::bytesOf, name -> name.startsWith(LEARNER.replace('.', '/')), opaque));
        return type.getConstructor().newInstance();
    }

    private static Object call(Object target, String name, Object... args) {
        try {
            return invoke(target, name, args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object invoke(Object target, String name, Object... args) throws Exception {
        for (Method method : target.getClass().getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == args.length) {
                try {
                    return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Exception cause) {
                        throw cause;
                    }
                    throw e;
                }
            }
        }
        throw new NoSuchMethodException(name);
    }

    private static byte[] bytesOf(String internalName) {
        try (InputStream in = RaceRewriterTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
