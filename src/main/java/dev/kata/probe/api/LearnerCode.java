package dev.kata.probe.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * What the learner's compiled code holds, for tests that must draw their data from it: an end
 * marker is a string the learner picked, and no fixed list of guesses ("EOF", "", "\u0000"...)
 * holds every one, so a test that feeds data equal to the learner's own strings finds any of them.
 * And what it uses, for a scenario too costly to run on every check that only code using a
 * certain JDK class can fail (a {@code Phaser} holds at most 65,535 parties).
 */
public final class LearnerCode {
    /** Tags of constant-pool entries (JVMS 4.4) whose first two bytes index a name. */
    private static final int CONSTANT_CLASS = 7;
    private static final int CONSTANT_STRING = 8;
    private static final int CONSTANT_NAME_AND_TYPE = 12;

    private LearnerCode() {
    }

    /**
     * The string literals of {@code learnerClass} and of the classes nested in it (anonymous and
     * local ones included), constants folded at compile time among them, in the order the
     * compiler wrote them, each once. Empty if its class file cannot be read.
     */
    public static List<String> stringLiterals(Class<?> learnerClass) {
        Set<String> found = new LinkedHashSet<>();
        forEachConstant(learnerClass, (reader, index, offset, buffer) -> {
            if (reader.readByte(offset - 1) == CONSTANT_STRING && reader.readConst(index, buffer) instanceof String s) {
                found.add(s);
            }
        });
        return List.copyOf(found);
    }

    /**
     * Texts an end marker picked by the learner might be: {@code guesses}, then each string literal of
     * {@code learnerClass} (see {@link #stringLiterals}) up to 200 characters long, twice: as the literal
     * object itself (a constant in any code is that very object, so an {@code ==} test finds it) and as
     * a copy (as a line read from a file would be). At most {@code limit} texts, in that order.
     */
    public static List<String> markerTexts(Class<?> learnerClass, int limit, String... guesses) {
        List<String> texts = new java.util.ArrayList<>(List.of(guesses));
        for (String literal : stringLiterals(learnerClass)) {
            if (literal.length() <= 200) {
                texts.add(literal.intern());
                texts.add(new String(literal));
            }
        }
        return List.copyOf(texts.subList(0, Math.min(limit, texts.size())));
    }

    /**
     * The whole numbers written in the code of {@code learnerClass} and of the classes nested in it
     * (small ones the compiler puts in the instructions, {@code -1} or {@code 100}, and large ones it
     * keeps in the constant pool, {@code Long.MIN_VALUE}), as longs, each once. An end marker keyed on a
     * number ({@code seq == Long.MIN_VALUE}) is found among them. Empty if no class file can be read.
     */
    public static List<Long> numberLiterals(Class<?> learnerClass) {
        Set<Long> found = new LinkedHashSet<>();
        MethodVisitor numbers = new MethodVisitor(Opcodes.ASM9) {
            @Override
            public void visitInsn(int opcode) {
                if (opcode >= Opcodes.ICONST_M1 && opcode <= Opcodes.ICONST_5) {
                    found.add((long) (opcode - Opcodes.ICONST_0));
                } else if (opcode == Opcodes.LCONST_0 || opcode == Opcodes.LCONST_1) {
                    found.add((long) (opcode - Opcodes.LCONST_0));
                }
            }

            @Override
            public void visitIntInsn(int opcode, int operand) {
                if (opcode == Opcodes.BIPUSH || opcode == Opcodes.SIPUSH) {
                    found.add((long) operand);
                }
            }

            @Override
            public void visitLdcInsn(Object value) {
                if (value instanceof Integer || value instanceof Long) {
                    found.add(((Number) value).longValue());
                }
            }
        };
        ClassVisitor methods = new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return numbers;
            }
        };
        forEachClass(learnerClass, reader -> reader.accept(methods, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES));
        return List.copyOf(found);
    }

    /**
     * Whether {@code learnerClass} or a class nested in it uses any of {@code names}: a class by its
     * binary name ({@code "java.util.concurrent.Phaser"}: constructed, called, cast to, or named in
     * the type of a method it calls) or a method or field by its simple name
     * ({@code "newWorkStealingPool"}). False if its class file cannot be read.
     */
    public static boolean mentions(Class<?> learnerClass, String... names) {
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : names) {
            wanted.add(name.replace('.', '/'));
        }
        boolean[] found = {false};
        forEachConstant(learnerClass, (reader, index, offset, buffer) -> {
            int tag = reader.readByte(offset - 1);
            if (tag == CONSTANT_CLASS || tag == CONSTANT_NAME_AND_TYPE) {
                String name = reader.readUTF8(offset, buffer);
                String descriptor = tag == CONSTANT_NAME_AND_TYPE ? reader.readUTF8(offset + 2, buffer) : "";
                for (String w : wanted) {
                    found[0] |= name.equals(w) || name.contains("L" + w + ";") || descriptor.contains("L" + w + ";");
                }
            }
        });
        return found[0];
    }

    @FunctionalInterface
    private interface ConstantVisitor {
        void visit(ClassReader reader, int index, int offset, char[] buffer);
    }

    /** Visits every constant-pool entry of {@code learnerClass} and of the classes nested in it. */
    private static void forEachConstant(Class<?> learnerClass, ConstantVisitor visitor) {
        forEachClass(learnerClass, reader -> {
            char[] buffer = new char[reader.getMaxStringLength()];
            for (int i = 1; i < reader.getItemCount(); i++) {
                int offset = reader.getItem(i); // 0 for the unused slot after a long or a double
                if (offset > 0) {
                    visitor.visit(reader, i, offset, buffer);
                }
            }
        });
    }

    /** Reads the class file of {@code learnerClass} and of each class nested in it. */
    private static void forEachClass(Class<?> learnerClass, java.util.function.Consumer<ClassReader> visitor) {
        Set<Class<?>> classes = new LinkedHashSet<>();
        classes.add(learnerClass);
        try {
            classes.addAll(List.of(learnerClass.getNestHost().getNestMembers()));
        } catch (LinkageError | SecurityException e) {
            // a nest member that cannot be loaded: the classes that can still count
        }
        for (Class<?> c : classes) {
            String file = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
            try (InputStream in = c.getResourceAsStream(file)) {
                if (in == null) {
                    continue;
                }
                visitor.accept(new ClassReader(in));
            } catch (IOException | RuntimeException e) {
                // an unreadable class file adds nothing
            }
        }
    }
}
