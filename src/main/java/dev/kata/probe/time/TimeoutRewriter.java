package dev.kata.probe.time;

import dev.kata.probe.CallInserter;
import java.util.Set;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Rewrites a learner class so that every time limit it hands to the JDK is shortened by
 * {@link ShortTimeouts}: the amount and unit of a {@code (..., long, TimeUnit)} call of
 * java.util.concurrent ({@code awaitTermination}, {@code await}, {@code poll}, {@code get},
 * {@code tryAcquire}, and delays such as {@code schedule}'s too), which become nanoseconds, the
 * {@code Duration} of such a call or of {@code Thread.sleep} and {@code join}, and the milliseconds
 * or nanoseconds of {@code Thread.sleep(long)}, {@code join(long)}, {@code wait(long)},
 * {@code parkNanos} and {@code awaitNanos}. The arguments are on top of the stack just before the
 * call, so one static call in front of it does the work (and, for an amount and its unit, a push
 * of the new unit). Calls to the learner's own methods are
 * left alone: the limit they pass on is shortened where it reaches the JDK. A reading of the
 * clock gets a static call after it, which turns it into the fast clock's: a deadline counted
 * out by hand ({@code System.nanoTime() + 30 s}, polled in short waits) passes as soon as a
 * shortened limit would.
 */
public final class TimeoutRewriter {
    private static final String SHORT = Type.getInternalName(ShortTimeouts.class);
    private static final String TIME_UNIT = "Ljava/util/concurrent/TimeUnit;";
    private static final String DURATION = "Ljava/time/Duration;";
    /** name + descriptor of the JDK calls whose last argument is a limit in milliseconds or nanoseconds. */
    private static final Set<String> MILLIS_LIMITS = Set.of("sleep(J)V", "join(J)V");
    private static final Set<String> NANOS_LIMITS = Set.of("parkNanos(J)V", "parkNanos(Ljava/lang/Object;J)V",
            "awaitNanos(J)J");

    private TimeoutRewriter() {
    }

    /** The class with its time limits shortened, or the same bytes if it sets none or cannot be read. */
    public static byte[] rewrite(byte[] classFile) {
        return CallInserter.rewrite(classFile, Rewriter::new);
    }

    /** The shortening call to put before a call, or null when the call sets no time limit of the JDK's. */
    static String shortener(String owner, String name, String descriptor) {
        String params = descriptor.substring(0, descriptor.indexOf(')'));
        boolean concurrent = owner.startsWith("java/util/concurrent/");
        if (name.equals("wait") && descriptor.equals("(J)V")) {
            return "millis(J)J"; // Object.wait, final: whatever class the call names
        }
        if (params.endsWith(TIME_UNIT) && concurrent && !owner.equals("java/util/concurrent/TimeUnit")) {
            // A delay and a period before the unit (scheduleAtFixedRate): both follow the unit.
            return params.endsWith("JJ" + TIME_UNIT) || !params.endsWith("J" + TIME_UNIT)
                    ? "unit(" + TIME_UNIT + ")" + TIME_UNIT
                    : "nanos(J" + TIME_UNIT + ")J";
        }
        boolean thread = owner.equals("java/lang/Thread");
        if (params.endsWith(DURATION) && (concurrent || thread)) {
            return "duration(" + DURATION + ")" + DURATION;
        }
        if ((concurrent || thread) && MILLIS_LIMITS.contains(name + descriptor)) {
            return "millis(J)J";
        }
        if ((concurrent || thread) && NANOS_LIMITS.contains(name + descriptor)) {
            return "shortenNanos(J)J";
        }
        return null;
    }

    /**
     * The fast clock's call to put after a reading of the time ({@code System.nanoTime()},
     * {@code System.currentTimeMillis()}, {@code Instant.now()}), or null when the call reads none.
     */
    static String clock(String owner, String name, String descriptor) {
        if (owner.equals("java/lang/System") && descriptor.equals("()J")
                && (name.equals("nanoTime") || name.equals("currentTimeMillis"))) {
            return name + "(J)J";
        }
        if (owner.equals("java/time/Instant") && name.equals("now") && descriptor.equals("()Ljava/time/Instant;")) {
            return "instant(Ljava/time/Instant;)Ljava/time/Instant;";
        }
        return null;
    }

    private static final class Rewriter extends CallInserter {

        Rewriter(ClassVisitor next) {
            super(next);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature, exceptions)) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
                    String shortener = shortener(owner, method, desc);
                    if (shortener != null) {
                        int open = shortener.indexOf('(');
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, SHORT, shortener.substring(0, open),
                                shortener.substring(open), false);
                        if (shortener.startsWith("nanos(")) {
                            // The amount and its unit became nanoseconds: the unit the call gets.
                            super.visitFieldInsn(Opcodes.GETSTATIC, "java/util/concurrent/TimeUnit", "NANOSECONDS",
                                    TIME_UNIT);
                        }
                        changed = true;
                    }
                    super.visitMethodInsn(opcode, owner, method, desc, isInterface);
                    String clock = clock(owner, method, desc);
                    if (clock != null) {
                        int open = clock.indexOf('(');
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, SHORT, clock.substring(0, open),
                                clock.substring(open), false);
                        changed = true;
                    }
                }
            };
        }
    }
}
