package dev.kata.probe.races;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Opcodes;

/** The fields the learner's classes declare, for {@link RaceRewriter}: which ones, and whether volatile or final. */
final class LearnerFields {
    /** A learner field: the class that declares it (internal name) and its access flags. */
    record Field(String declaringClass, int access) {
        boolean isFinal() {
            return (access & Opcodes.ACC_FINAL) != 0;
        }

        boolean isVolatile() {
            return (access & Opcodes.ACC_VOLATILE) != 0;
        }
    }

    private record ClassFields(String superName, int classAccess, Map<String, Integer> access) {
    }

    private final Function<String, byte[]> classBytes;
    private final Predicate<String> isLearner;
    private final Map<String, ClassFields> classes = new ConcurrentHashMap<>();

    /** {@code classBytes} gives a class file by internal name (or null); {@code isLearner} says which classes are the learner's. */
    LearnerFields(Function<String, byte[]> classBytes, Predicate<String> isLearner) {
        this.classBytes = classBytes;
        this.isLearner = isLearner;
    }

    boolean isLearner(String internalName) {
        return isLearner.test(internalName);
    }

    /** The learner field {@code owner.name} resolves to, or null if it is not a learner's field. */
    Field find(String owner, String name) {
        for (String type = owner; type != null && isLearner(type); ) {
            ClassFields fields = classes.computeIfAbsent(type, this::read);
            Integer access = fields.access().get(name);
            if (access != null) {
                return new Field(type, access);
            }
            type = fields.superName();
        }
        return null;
    }

    /** Whether the learner class {@code type} is abstract (or an interface): the tests may extend it. */
    boolean isAbstract(String type) {
        return (classes.computeIfAbsent(type, this::read).classAccess() & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_INTERFACE)) != 0;
    }

    private ClassFields read(String type) {
        byte[] bytes = classBytes.apply(type);
        if (bytes == null) {
            return new ClassFields(null, 0, Map.of());
        }
        Map<String, Integer> access = new ConcurrentHashMap<>();
        String[] superName = {null};
        int[] classAccess = {0};
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int acc, String name, String signature, String superType, String[] interfaces) {
                superName[0] = superType;
                classAccess[0] = acc;
            }

            @Override
            public FieldVisitor visitField(int acc, String name, String descriptor, String signature, Object value) {
                access.put(name, acc);
                return null;
            }
        }, ClassReader.SKIP_CODE);
        return new ClassFields(superName[0], classAccess[0], access);
    }
}
