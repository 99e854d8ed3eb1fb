package dev.kata.probe.files;

import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Rewrites a learner class so that every call that opens a file by its name reports to
 * {@link FileOpens}: the path argument and the calling line just before the call, its success just
 * after. The JDK has no event for opening a file (Flight Recorder sees reads and writes only), and
 * only the learner's own call sites are rewritten, never the JDK's.
 */
public final class OpenSiteRewriter {
    private static final Type FILE_OPENS = Type.getType(FileOpens.class);
    private static final Method OPENING = Method.getMethod("void opening(Object)");
    private static final Method OPENED = Method.getMethod("void opened()");

    private static final String STRING = "Ljava/lang/String;";
    private static final String FILE = "Ljava/io/File;";
    private static final String PATH = "Ljava/nio/file/Path;";

    /** Classes whose constructors open the file named by their first argument (a name, a File or a Path). */
    private static final Set<String> OPENING_TYPES = Set.of(
            "java/io/FileInputStream", "java/io/FileOutputStream", "java/io/RandomAccessFile",
            "java/io/FileReader", "java/io/FileWriter", "java/io/PrintWriter", "java/io/PrintStream",
            "java/util/Formatter", "java/util/Scanner", "java/util/zip/ZipFile", "java/util/jar/JarFile");
    /** Static methods that open the file or folder named by their first argument (a Path). */
    private static final Set<String> OPENING_METHODS = Set.of(
            "java/nio/file/Files.newInputStream", "java/nio/file/Files.newOutputStream",
            "java/nio/file/Files.newBufferedReader", "java/nio/file/Files.newBufferedWriter",
            "java/nio/file/Files.newByteChannel", "java/nio/file/Files.lines", "java/nio/file/Files.list",
            "java/nio/file/Files.walk", "java/nio/file/Files.find", "java/nio/file/Files.newDirectoryStream",
            "java/nio/channels/FileChannel.open", "java/nio/channels/AsynchronousFileChannel.open");

    private OpenSiteRewriter() {
    }

    /** The class with its open calls reported, or the same bytes if it has none or cannot be read. */
    public static byte[] rewrite(byte[] classFile) {
        try {
            ClassReader reader = new ClassReader(classFile);
            ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
            Rewriter rewriter = new Rewriter(writer);
            reader.accept(rewriter, ClassReader.EXPAND_FRAMES);
            return rewriter.changed ? writer.toByteArray() : classFile;
        } catch (RuntimeException e) {
            return classFile; // a class ASM cannot read is graded as it is, without open sites
        }
    }

    /** Whether a call opens the file its first argument names. */
    static boolean opensFile(int opcode, String owner, String name, String descriptor) {
        Type[] args = Type.getArgumentTypes(descriptor);
        if (args.length == 0) {
            return false;
        }
        String first = args[0].getDescriptor();
        if (opcode == Opcodes.INVOKESPECIAL && name.equals("<init>") && OPENING_TYPES.contains(owner)) {
            // new Scanner(String) reads the string itself, not a file of that name
            return first.equals(FILE) || first.equals(PATH) || first.equals(STRING) && !owner.equals("java/util/Scanner");
        }
        return opcode == Opcodes.INVOKESTATIC && first.equals(PATH) && OPENING_METHODS.contains(owner + "." + name);
    }

    private static final class Rewriter extends ClassVisitor {
        private String superName;
        private boolean changed;

        Rewriter(ClassVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            this.superName = superName;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            if (next == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                return next;
            }
            return new CallSites(next, access, name, descriptor);
        }

        private final class CallSites extends GeneratorAdapter {
            private final boolean constructor;
            /** Slots of the locals this rewriting added: they hold an open call's arguments for a moment only. */
            private final java.util.BitSet added = new java.util.BitSet();

            CallSites(MethodVisitor next, int access, String name, String descriptor) {
                super(Opcodes.ASM9, next, access, name, descriptor);
                this.constructor = name.equals("<init>");
            }

            @Override
            public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
                // A learner class that extends FileInputStream calls its super constructor on itself: not an open to report.
                boolean superCall = constructor && owner.equals(superName);
                if (superCall || !opensFile(opcode, owner, name, descriptor)) {
                    super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
                    return;
                }
                changed = true;
                Type[] args = Type.getArgumentTypes(descriptor);
                int[] locals = new int[args.length];
                for (int i = args.length - 1; i >= 0; i--) {
                    locals[i] = newLocal(args[i]);
                    added.set(locals[i], locals[i] + args[i].getSize());
                    storeLocal(locals[i]);
                }
                loadLocal(locals[0]);
                invokeStatic(FILE_OPENS, OPENING);
                for (int local : locals) {
                    loadLocal(local);
                }
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
                invokeStatic(FILE_OPENS, OPENED);
            }

            /**
             * The added locals are dead at every branch target and exception handler (they live
             * between two instructions), so no stack map frame may claim them: a handler reached
             * before they were stored would not verify.
             */
            @Override
            protected void updateNewLocals(Object[] newLocals) {
                for (int slot = added.nextSetBit(0); slot >= 0 && slot < newLocals.length; slot = added.nextSetBit(slot + 1)) {
                    newLocals[slot] = Opcodes.TOP;
                }
            }
        }
    }
}
