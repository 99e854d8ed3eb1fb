package dev.kata.probe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void aClassWithoutAReadableClassFileHasNone() {
        assertEquals(List.of(), LearnerCode.stringLiterals(int.class));
    }
}
