package dev.kata.probe.noise;

import dev.kata.probe.CallInserter;
import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Rewrites a learner class to call {@link Noise#point()} where a lost update or a check-then-act
 * hides: just after each read of an atomic variable ({@code n.get()}, {@code ref.get()}...), which
 * a read-then-write needs before its write, just after each read of one of the class's own
 * volatile fields (a flag checked, then acted on: {@code if (closed) throw ...; inFlight++}), and
 * just before each write of a field outside constructors (the write of {@code count++}, or of a
 * lazily made instance), and just after leaving a synchronized block or unlocking a lock (a check
 * made under the lock, acted on after it: {@code synchronized (room) { while (full()) wait(); }
 * queue.put(e)}), and just after starting a thread or handing a task to an executor (the new
 * thread may then run to its end before the next one is started: a count of running workers that
 * each adds itself to only once it runs, Go's {@code WaitGroup.Add} inside the goroutine, falls to
 * zero while others are still to come). The pause widens the gap between the read and the
 * write, so that another thread's step lands in it. Atomic read-modify-writes ({@code incrementAndGet},
 * {@code compareAndSet}) get no pause: they have no gap.
 * And each {@code new HashMap} makes a {@link WatchedHashMap}, which notices two threads inside it at once.
 */
public final class NoiseRewriter {
    private static final String NOISE = Type.getInternalName(Noise.class);
    private static final String HASH_MAP = "java/util/HashMap";
    private static final String WATCHED_HASH_MAP = Type.getInternalName(WatchedHashMap.class);
    private static final String ATOMICS = "java/util/concurrent/atomic/";
    private static final String LOCKS = "java/util/concurrent/locks/";
    private static final Set<String> READS = Set.of(
            "get", "getPlain", "getOpaque", "getAcquire", "intValue", "longValue", "sum", "getReference");

    private NoiseRewriter() {
    }

    /** The class with its pause points, or the same bytes if it has none or cannot be read. */
    public static byte[] rewrite(byte[] classFile) {
        return CallInserter.rewrite(classFile, Rewriter::new);
    }

    /** Whether a call reads an atomic variable without writing it. */
    static boolean readsAtomic(int opcode, String owner, String name, String descriptor) {
        return opcode == Opcodes.INVOKEVIRTUAL && owner.startsWith(ATOMICS) && READS.contains(name)
                && descriptor.startsWith("()");
    }

    /** Whether a call starts a thread or hands a task to an executor: the new work may run at once. */
    static boolean startsWork(String owner, String name) {
        boolean thread = owner.equals("java/lang/Thread") || owner.startsWith("java/lang/Thread$Builder");
        return thread && (name.equals("start") || name.equals("startVirtualThread"))
                || owner.startsWith("java/util/concurrent/") && (name.equals("execute") || name.equals("submit"));
    }

    /** Whether a call releases a java.util.concurrent lock: what was checked under it may now change. */
    static boolean unlocks(String owner, String name, String descriptor) {
        return owner.startsWith(LOCKS) && name.equals("unlock") && descriptor.equals("()V");
    }

    private static final class Rewriter extends CallInserter {
        private String className;
        /** The class's own volatile fields: a class file lists its fields before its methods. */
        private final Set<String> volatileFields = new HashSet<>();

        Rewriter(ClassVisitor next) {
            super(next);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            className = name;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                Object value) {
            if ((access & Opcodes.ACC_VOLATILE) != 0) {
                volatileFields.add(name);
            }
            return super.visitField(access, name, descriptor, signature, value);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            boolean constructing = name.equals("<init>") || name.equals("<clinit>");
            return new MethodVisitor(Opcodes.ASM9, next) {
                /** {@code new HashMap} seen and not yet constructed: a super() call of a subclass is not one. */
                int pendingMaps;

                @Override
                public void visitTypeInsn(int opcode, String type) {
                    if (opcode == Opcodes.NEW && type.equals(HASH_MAP)) {
                        pendingMaps++;
                        changed = true;
                        super.visitTypeInsn(opcode, WATCHED_HASH_MAP);
                        return;
                    }
                    super.visitTypeInsn(opcode, type);
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
                    if (opcode == Opcodes.INVOKESPECIAL && owner.equals(HASH_MAP) && method.equals("<init>") && pendingMaps > 0) {
                        pendingMaps--;
                        super.visitMethodInsn(opcode, WATCHED_HASH_MAP, method, desc, isInterface);
                        return;
                    }
                    super.visitMethodInsn(opcode, owner, method, desc, isInterface);
                    if (readsAtomic(opcode, owner, method, desc) || unlocks(owner, method, desc)) {
                        pause();
                    } else if (startsWork(owner, method)) {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, NOISE, "afterStart", "()V", false);
                        changed = true;
                    }
                }

                /** {@code Thread::start} as a method reference: the start happens in the JDK's lambda, so it calls {@link Noise#start}. */
                @Override
                public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap, Object... args) {
                    if (bootstrap.getOwner().equals("java/lang/invoke/LambdaMetafactory") && args.length > 1
                            && args[1] instanceof Handle impl && impl.getTag() == Opcodes.H_INVOKEVIRTUAL
                            && impl.getOwner().equals("java/lang/Thread") && impl.getName().equals("start")
                            && impl.getDesc().equals("()V")) {
                        Object[] rewritten = args.clone();
                        rewritten[1] = new Handle(Opcodes.H_INVOKESTATIC, NOISE, "start", "(Ljava/lang/Thread;)V", false);
                        changed = true;
                        super.visitInvokeDynamicInsn(name, desc, bootstrap, rewritten);
                        return;
                    }
                    super.visitInvokeDynamicInsn(name, desc, bootstrap, args);
                }

                @Override
                public void visitInsn(int opcode) {
                    super.visitInsn(opcode);
                    if (opcode == Opcodes.MONITOREXIT) {
                        pause();
                    }
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String field, String desc) {
                    if (!constructing && (opcode == Opcodes.PUTFIELD || opcode == Opcodes.PUTSTATIC)) {
                        pause();
                    }
                    super.visitFieldInsn(opcode, owner, field, desc);
                    if (!constructing && (opcode == Opcodes.GETFIELD || opcode == Opcodes.GETSTATIC)
                            && owner.equals(className) && volatileFields.contains(field)) {
                        pause();
                    }
                }

                private void pause() {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, NOISE, "point", "()V", false);
                    changed = true;
                }
            };
        }
    }
}
