package dev.kata.grader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.RecordComponentVisitor;

/**
 * All that code in the kata's package can see of a set of compiled classes: each class that is
 * neither private nor local, with its kind, supertypes, generic signature, permitted subclasses and
 * record components, and each of its members that is not private, with its type, generic
 * signature, modifiers, exceptions and constant value. Two compilations with the same surface give
 * the same class files for code compiled against them, method bodies aside: so hidden tests compiled
 * against one can run against the other.
 */
record ApiSurface(String digest) {

    /** The surface of the named classes (binary names) under {@code classesDir}. */
    static ApiSurface of(Path classesDir, Collection<String> classNames) throws IOException {
        TreeSet<String> lines = new TreeSet<>();
        for (String name : classNames) {
            byte[] bytes = Files.readAllBytes(classesDir.resolve(name.replace('.', '/') + ".class"));
            lines.addAll(describe(bytes));
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String line : lines) {
                sha.update(line.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return new ApiSurface(HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line per visible class and member; none for a class the package cannot name. */
    static List<String> describe(byte[] classFile) {
        List<String> out = new ArrayList<>();
        ClassReader reader = new ClassReader(classFile);
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            private String owner;
            private boolean hidden;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                owner = name;
                out.add("class " + name + " " + access + " " + signature + " " + superName + " "
                        + String.join(",", interfaces == null ? new String[0] : interfaces));
            }

            @Override
            public void visitOuterClass(String owner, String name, String descriptor) {
                hidden = true; // local or anonymous: no code outside its method can name it
            }

            @Override
            public void visitInnerClass(String name, String outerName, String innerName, int access) {
                if (name.equals(owner)) {
                    if (innerName == null || outerName == null || (access & Opcodes.ACC_PRIVATE) != 0) {
                        hidden = true;
                    } else {
                        out.add("nested " + name + " " + access);
                    }
                }
            }

            @Override
            public void visitPermittedSubclass(String permitted) {
                out.add("permits " + owner + " " + permitted);
            }

            @Override
            public RecordComponentVisitor visitRecordComponent(String name, String descriptor, String signature) {
                out.add("component " + owner + " " + name + " " + descriptor + " " + signature);
                return null;
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                if ((access & Opcodes.ACC_PRIVATE) == 0) {
                    out.add("field " + owner + " " + name + " " + descriptor + " " + access + " " + signature + " "
                            + (value == null ? "" : value.getClass().getSimpleName() + ":" + value));
                }
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                if ((access & Opcodes.ACC_PRIVATE) == 0) {
                    out.add("method " + owner + " " + name + descriptor + " " + access + " " + signature + " "
                            + String.join(",", exceptions == null ? new String[0] : exceptions));
                }
                return null;
            }

            @Override
            public void visitEnd() {
                if (hidden) {
                    out.clear();
                }
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return out;
    }
}
