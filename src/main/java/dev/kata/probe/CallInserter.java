package dev.kata.probe;

import java.util.function.Function;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A rewriter of learner classes that only puts static calls in, each leaving the stack as it
 * found it or mapping the value on top to another of its type (and at most makes a class's
 * instances of a subclass of it): no frame and no stack size changes, so the class is copied
 * as it is around them. Subclasses set {@link #changed} when they change something;
 * {@link #rewrite} hands back the same bytes when none did. The noise and the short time
 * limits are such rewriters.
 */
public abstract class CallInserter extends ClassVisitor {
    protected boolean changed;

    protected CallInserter(ClassVisitor next) {
        super(Opcodes.ASM9, next);
    }

    /** The class as {@code inserter} rewrites it, or the same bytes if it put nothing in or ASM cannot read them. */
    public static byte[] rewrite(byte[] classFile, Function<ClassVisitor, ? extends CallInserter> inserter) {
        try {
            ClassReader reader = new ClassReader(classFile);
            ClassWriter writer = new ClassWriter(reader, 0);
            CallInserter visitor = inserter.apply(writer);
            reader.accept(visitor, 0);
            return visitor.changed ? writer.toByteArray() : classFile;
        } catch (RuntimeException e) {
            return classFile; // a class ASM cannot read is graded as it is
        }
    }
}
