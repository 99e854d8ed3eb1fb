package dev.kata.probe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LearnerCodeTest {
    /** Stands for a learner's class: an end marker as a constant, literals in a lambda and in classes nested in it. */
    static final class Pipeline {
        static final String END = "\u0004";
        static final long BIG = 1L << 40; // takes two constant-pool slots
        final Supplier<String> lambda = () -> "from a lambda";
        final Object anonymous = new Object() {
            @Override
            public String toString() {
                return "from an anonymous class";
            }
        };

        boolean isEnd(String line) {
            return END.equals(line) || "__DONE__".equals(line) || BIG == line.length();
        }

        static final class Message {
            final String text = "from a nested class";
        }
    }

    @Test
    void findsTheStringsOfAClassAndOfEveryClassNestedInIt() {
        List<String> strings = LearnerCode.stringLiterals(Pipeline.Message.class);
        for (String s : List.of("\u0004", "__DONE__", "from a lambda", "from an anonymous class", "from a nested class")) {
            assertTrue(strings.contains(s), () -> s + " not in " + strings);
        }
        assertEquals(strings.size(), strings.stream().distinct().count(), strings::toString);
    }

    @Test
    void markerTextsHoldTheGuessesThenEachLiteralAsItselfAndAsACopy() {
        List<String> texts = LearnerCode.markerTexts(Pipeline.class, 100, "EOF");
        assertEquals("EOF", texts.get(0));
        int at = texts.indexOf("__DONE__");
        assertSame("__DONE__", texts.get(at), "the literal object itself first");
        assertEquals("__DONE__", texts.get(at + 1));
        assertNotSame("__DONE__", texts.get(at + 1), "then a copy");
        assertEquals(3, LearnerCode.markerTexts(Pipeline.class, 3, "EOF").size());
    }

    @Test
    void findsTheNumbersOfAClassWhereverTheCompilerPutThem() {
        List<Long> numbers = LearnerCode.numberLiterals(NumberedMarkers.class);
        for (long n : new long[] {-1, 100, 40_000, Long.MIN_VALUE, 1L << 40}) {
            assertTrue(numbers.contains(n), () -> n + " not in " + numbers);
        }
    }

    @Test
    void aClassWithoutAReadableClassFileHasNone() {
        assertEquals(List.of(), LearnerCode.stringLiterals(int.class));
        assertEquals(List.of(), LearnerCode.numberLiterals(int.class));
    }

    @Test
    void tellsWhichClassesAndMethodsTheCodeUses() {
        assertTrue(LearnerCode.mentions(PhaserCountingCode.class, "java.util.concurrent.Phaser"));
        assertFalse(LearnerCode.mentions(Pipeline.class, "java.util.concurrent.Phaser", "newWorkStealingPool"));
        assertTrue(LearnerCode.mentions(WorkStealingCode.class, "java.util.concurrent.ForkJoinPool", "newWorkStealingPool"));
        assertFalse(LearnerCode.mentions(WorkStealingCode.class, "java.util.concurrent.ForkJoinPool"));
        assertFalse(LearnerCode.mentions(int.class, "java.util.concurrent.Phaser"));
    }
}

/** Stands for a learner's class (a nest of its own) that counts its threads with a Phaser, in a lambda. */
final class PhaserCountingCode {
    final Runnable start = () -> new java.util.concurrent.Phaser(1).arriveAndDeregister();
}

/** Uses a JDK method by name only: its return type is not the class behind it. */
final class WorkStealingCode {
    Object pool() {
        return java.util.concurrent.Executors.newWorkStealingPool(4);
    }
}

/** Stands for a learner's class whose end markers are numbers: in instructions, in the constant pool, in a lambda. */
final class NumberedMarkers {
    final java.util.function.LongPredicate lambda = seq -> seq == -1 || seq == 100;

    boolean isEnd(long seq, int count) {
        return seq == Long.MIN_VALUE || count == 40_000 || seq == Pipeline.BIG;
    }

    static final class Pipeline {
        static long BIG = 1L << 40; // not a constant: read from the field, set in the class initializer
    }
}
