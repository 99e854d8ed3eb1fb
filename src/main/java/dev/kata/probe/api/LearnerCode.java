package dev.kata.probe.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ClassReader;

/**
 * What the learner's compiled code holds, for tests that must draw their data from it: an end
 * marker is a string the learner picked, and no fixed list of guesses ("EOF", "", "\u0000"...)
 * holds every one, so a test that feeds data equal to the learner's own strings finds any of them.
 */
public final class LearnerCode {
    /** The tag of a {@code CONSTANT_String} entry in a class file's constant pool (JVMS 4.4). */
    private static final int CONSTANT_STRING = 8;

    private LearnerCode() {
    }

    /**
     * The string literals of {@code learnerClass} and of the classes nested in it (anonymous and
     * local ones included), constants folded at compile time among them, in the order the
     * compiler wrote them, each once. Empty if its class file cannot be read.
     */
    public static List<String> stringLiterals(Class<?> learnerClass) {
        Set<String> found = new LinkedHashSet<>();
        Set<Class<?>> classes = new LinkedHashSet<>();
        classes.add(learnerClass);
        try {
            classes.addAll(List.of(learnerClass.getNestHost().getNestMembers()));
        } catch (LinkageError | SecurityException e) {
            // a nest member that cannot be loaded: the classes that can still count
        }
        for (Class<?> c : classes) {
            addStrings(c, found);
        }
        return List.copyOf(found);
    }

    private static void addStrings(Class<?> c, Set<String> found) {
        String file = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(file)) {
            if (in == null) {
                return;
            }
            ClassReader reader = new ClassReader(in);
            char[] buffer = new char[reader.getMaxStringLength()];
            for (int i = 1; i < reader.getItemCount(); i++) {
                int offset = reader.getItem(i); // 0 for the unused slot after a long or a double
                if (offset > 0 && reader.readByte(offset - 1) == CONSTANT_STRING
                        && reader.readConst(i, buffer) instanceof String s) {
                    found.add(s);
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable class file adds nothing
        }
    }
}
