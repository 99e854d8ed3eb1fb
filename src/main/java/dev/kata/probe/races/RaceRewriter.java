package dev.kata.probe.races;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Rewrites a learner class for {@link Races}: each plain read or write of a learner field or of an
 * array element (a read only from an array taken from a field, directly or through a local that
 * holds nothing else) is checked, and so is each call that reads or changes a collection (Races
 * checks only the JDK's collections that are not safe for threads); each volatile access publishes
 * or acquires; and the points where the learner's code can synchronise with other code (its entries
 * and exits, its calls into the JDK or the tests, its synchronized blocks, its exception handlers)
 * are marked. Constructors are not checked (an object under construction is not yet shared), but
 * their calls out are marked; what a static initialiser writes, itself or through the methods it
 * calls, is not noted.
 */
public final class RaceRewriter {
    private static final String RACES = Type.getInternalName(Races.class);
    private static final String OWN = "dev/kata/probe/";
    /** Classes whose methods never synchronise with another thread: a call to them is not a hand-off. */
    private static final Set<String> PURE = Set.of(
            "java/lang/String", "java/lang/StringBuilder", "java/lang/Math", "java/lang/StrictMath",
            "java/lang/Integer", "java/lang/Long", "java/lang/Short", "java/lang/Byte", "java/lang/Character",
            "java/lang/Boolean", "java/lang/Double", "java/lang/Float", "java/util/Objects", "java/util/Arrays",
            "java/lang/Enum", "java/lang/Record");
    /** Thread methods with no synchronisation in the memory model (sleep and yield publish nothing). */
    private static final Set<String> PURE_THREAD = Set.of("sleep", "yield", "onSpinWait", "currentThread", "getName",
            "threadId", "getId", "isVirtual", "isDaemon");
    private static final Set<String> PURE_SYSTEM = Set.of("nanoTime", "currentTimeMillis", "identityHashCode", "arraycopy");

    /** The JDK's collection types a call may name; the receiver's class decides at run time whether it is checked. */
    private static final Set<String> COLLECTIONS = Set.of(
            "java/util/Map", "java/util/HashMap", "java/util/LinkedHashMap", "java/util/TreeMap", "java/util/SortedMap",
            "java/util/NavigableMap", "java/util/SequencedMap", "java/util/AbstractMap", "java/util/List",
            "java/util/ArrayList", "java/util/LinkedList", "java/util/Collection", "java/util/SequencedCollection",
            "java/util/Set", "java/util/HashSet", "java/util/LinkedHashSet", "java/util/TreeSet", "java/util/SortedSet",
            "java/util/NavigableSet", "java/util/Queue", "java/util/Deque", "java/util/ArrayDeque",
            "java/util/PriorityQueue", "java/util/AbstractCollection", "java/util/AbstractList");
    /** Collection methods that change the contents. */
    private static final Set<String> CHANGES = Set.of(
            "put", "putAll", "putIfAbsent", "remove", "clear", "add", "addAll", "removeAll", "retainAll", "removeIf",
            "set", "compute", "computeIfAbsent", "computeIfPresent", "merge", "replace", "replaceAll", "offer", "poll",
            "push", "pop", "addFirst", "addLast", "offerFirst", "offerLast", "pollFirst", "pollLast", "removeFirst",
            "removeLast", "sort", "putFirst", "putLast");
    /** Collection methods that read the contents. */
    private static final Set<String> READS = Set.of(
            "get", "getOrDefault", "containsKey", "containsValue", "contains", "containsAll", "size", "isEmpty",
            "peek", "peekFirst", "peekLast", "getFirst", "getLast", "indexOf", "lastIndexOf", "toArray", "element",
            "first", "last", "firstKey", "lastKey", "forEach", "iterator", "keySet", "values", "entrySet", "stream");

    private final LearnerFields fields;
    private final OpaqueTypes opaque;

    private RaceRewriter(LearnerFields fields, OpaqueTypes opaque) {
        this.fields = fields;
        this.opaque = opaque;
    }

    /** A rewriter for the learner classes that {@code isLearner} names (internal names), whose files {@code classBytes} gives. */
    public static UnaryOperator<byte[]> of(Function<String, byte[]> classBytes, Predicate<String> isLearner) {
        return of(classBytes, isLearner, new OpaqueTypes(Set.of()));
    }

    /** The same, with calls through the learner types {@code opaque} names not counted as hand-offs. */
    public static UnaryOperator<byte[]> of(Function<String, byte[]> classBytes, Predicate<String> isLearner,
            OpaqueTypes opaque) {
        RaceRewriter rewriter = new RaceRewriter(new LearnerFields(classBytes, isLearner), opaque);
        return rewriter::rewrite;
    }

    /** The class with its accesses marked, or the same bytes if it cannot be read. */
    byte[] rewrite(byte[] classFile) {
        try {
            ClassReader reader = new ClassReader(classFile);
            ClassNode type = new ClassNode();
            reader.accept(type, ClassReader.EXPAND_FRAMES);
            for (MethodNode method : type.methods) {
                if (method.instructions.size() == 0) {
                    continue;
                }
                if (method.name.equals("<clinit>")) {
                    initialiserUnnoted(method);
                    continue;
                }
                new MethodRewrite(type, method).apply();
            }
            ClassWriter writer = new ClassWriter(0);
            type.accept(writer);
            return writer.toByteArray();
        } catch (RuntimeException e) {
            return classFile; // a class ASM cannot read is graded as it is, without race checks
        }
    }

    /**
     * A class's initialisation is ordered before every later use of the class (by a lock the JVM
     * takes, which the detector does not see), so what it writes, even through the methods it
     * calls, is not noted, as a constructor's writes are not.
     */
    private static void initialiserUnnoted(MethodNode method) {
        InsnList code = method.instructions;
        for (AbstractInsnNode insn : code.toArray()) {
            if (insn.getOpcode() == Opcodes.RETURN) {
                code.insertBefore(insn, races("initialised", "()V"));
            }
        }
        code.insert(races("initialising", "()V"));
    }

    private static MethodInsnNode races(String name, String descriptor) {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, RACES, name, descriptor, false);
    }

    /** Whether a call leaves the learner's code for code that may synchronise with another thread. */
    boolean callsOut(MethodInsnNode call) {
        String owner = call.owner;
        if (owner.startsWith("[") || call.name.equals("<init>")) {
            return false;
        }
        if (opaque.containsInternal(owner)) {
            return false; // the task promises no ordering through it (see OpaqueTypes)
        }
        if (fields.isLearner(owner)) {
            // the tests may implement a learner interface or extend an abstract class: their code can synchronise
            return call.getOpcode() == Opcodes.INVOKEINTERFACE
                    || call.getOpcode() == Opcodes.INVOKEVIRTUAL && fields.isAbstract(owner);
        }
        if (owner.startsWith(OWN)) {
            return false; // the probe's own hooks (noise, open files)
        }
        if (owner.equals("java/lang/Thread") && PURE_THREAD.contains(call.name)) {
            return false;
        }
        if (owner.equals("java/lang/System")) {
            return !PURE_SYSTEM.contains(call.name);
        }
        if (owner.equals("java/lang/Object")) {
            return call.name.equals("wait") || call.name.equals("notify") || call.name.equals("notifyAll");
        }
        return !PURE.contains(owner);
    }

    private boolean isOpaque(MethodInsnNode call) {
        return opaque.containsInternal(call.owner) && !call.name.equals("<init>");
    }

    private static boolean isSleep(MethodInsnNode call) {
        return call.getOpcode() == Opcodes.INVOKESTATIC && call.owner.equals("java/lang/Thread") && call.name.equals("sleep");
    }

    private final class MethodRewrite {
        private final ClassNode type;
        private final MethodNode method;
        private final boolean constructor;
        private final int token;
        /** The element reads to check (see {@link #readsAFieldsArray}), found before the code changes. */
        private final Set<AbstractInsnNode> checkedLoads = new HashSet<>();
        /** Locals that only ever hold an array read from a field ({@code long[] s = stats}). */
        private final Set<Integer> fieldArrayLocals = new HashSet<>();
        private int line;

        MethodRewrite(ClassNode type, MethodNode method) {
            this.type = type;
            this.method = method;
            this.constructor = method.name.equals("<init>");
            this.token = method.maxLocals;
        }

        void apply() {
            InsnList code = method.instructions;
            Set<LabelNode> handlers = new HashSet<>();
            for (TryCatchBlockNode block : method.tryCatchBlocks) {
                handlers.add(block.handler);
            }
            boolean synchronizedMethod = (method.access & Opcodes.ACC_SYNCHRONIZED) != 0;
            List<AbstractInsnNode> original = new ArrayList<>();
            code.iterator().forEachRemaining(original::add);
            findFieldArrayLocals(original);
            for (AbstractInsnNode insn : original) { // before any rewriting, while the code is as compiled
                if (isArrayLoad(insn.getOpcode()) && readsAFieldsArray(insn)) {
                    checkedLoads.add(insn);
                }
            }
            LabelNode pendingHandler = null;
            for (AbstractInsnNode insn : original) {
                if (insn instanceof LineNumberNode number) {
                    line = number.line;
                    continue;
                }
                if (insn instanceof LabelNode label && handlers.contains(label)) {
                    pendingHandler = label;
                    continue;
                }
                if (insn instanceof FrameNode frame) {
                    if (!constructor) {
                        withToken(frame);
                    }
                    continue;
                }
                if (insn.getOpcode() < 0) {
                    continue;
                }
                if (pendingHandler != null) {
                    pendingHandler = null;
                    InsnList onCatch = new InsnList();
                    if (constructor) {
                        onCatch.add(races("caughtUntracked", "()V"));
                    } else {
                        onCatch.add(new InsnNode(Opcodes.DUP)); // the exception being caught
                        onCatch.add(new VarInsnNode(Opcodes.ILOAD, token));
                        onCatch.add(races("caught", "(Ljava/lang/Throwable;I)V"));
                    }
                    code.insertBefore(insn, onCatch);
                }
                rewrite(code, insn, synchronizedMethod);
            }
            method.maxStack += 4;
            if (constructor) {
                return;
            }
            method.maxLocals = token + 1;
            LabelNode start = new LabelNode();
            InsnList prologue = new InsnList();
            prologue.add(races("enter", "()I"));
            prologue.add(new VarInsnNode(Opcodes.ISTORE, token));
            if (synchronizedMethod) {
                prologue.add(races("acquire", "()V"));
            }
            prologue.add(start);
            code.insert(prologue);

            LabelNode end = new LabelNode();
            LabelNode handler = new LabelNode();
            code.add(end);
            code.add(handler);
            List<Object> locals = new ArrayList<>();
            for (int i = 0; i < token; i++) {
                locals.add(Opcodes.TOP);
            }
            locals.add(Opcodes.INTEGER);
            code.add(new FrameNode(Opcodes.F_NEW, locals.size(), locals.toArray(), 1, new Object[] {"java/lang/Throwable"}));
            if (synchronizedMethod) {
                code.add(races("release", "()V"));
            }
            code.add(new VarInsnNode(Opcodes.ILOAD, token));
            code.add(races("leaveThrowing", "(I)V"));
            code.add(new InsnNode(Opcodes.ATHROW));
            method.tryCatchBlocks.add(new TryCatchBlockNode(start, end, handler, null));
        }

        /** A frame of the original code, with the token's slot added: it is set from the first instruction on. */
        private void withToken(FrameNode frame) {
            if (frame.type != Opcodes.F_NEW) {
                throw new IllegalStateException("frames are not expanded");
            }
            List<Object> locals = frame.local == null ? new ArrayList<>() : new ArrayList<>(frame.local);
            int slots = 0;
            for (Object local : locals) {
                slots += local == Opcodes.LONG || local == Opcodes.DOUBLE ? 2 : 1;
            }
            for (; slots < token; slots++) {
                locals.add(Opcodes.TOP);
            }
            locals.add(Opcodes.INTEGER);
            frame.local = locals;
        }

        private void rewrite(InsnList code, AbstractInsnNode insn, boolean synchronizedMethod) {
            int opcode = insn.getOpcode();
            switch (opcode) {
                case Opcodes.IRETURN, Opcodes.LRETURN, Opcodes.FRETURN, Opcodes.DRETURN, Opcodes.ARETURN, Opcodes.RETURN -> {
                    if (constructor) {
                        return;
                    }
                    InsnList exit = new InsnList();
                    if (synchronizedMethod) {
                        exit.add(races("release", "()V"));
                    }
                    exit.add(races("leave", "()V"));
                    code.insertBefore(insn, exit);
                }
                case Opcodes.MONITORENTER -> code.insert(insn, races("acquire", "()V"));
                case Opcodes.MONITOREXIT -> code.insertBefore(insn, races("release", "()V"));
                case Opcodes.INVOKEVIRTUAL, Opcodes.INVOKESPECIAL, Opcodes.INVOKESTATIC, Opcodes.INVOKEINTERFACE -> {
                    if (!constructor) {
                        collection(code, (MethodInsnNode) insn);
                    }
                    if (callsOut((MethodInsnNode) insn)) {
                        code.insertBefore(insn, races("callOut", "()V"));
                        code.insert(insn, races("callBack", "()V"));
                    } else if (isSleep((MethodInsnNode) insn) || isOpaque((MethodInsnNode) insn)) {
                        // no hand-off, unless it throws InterruptedException: an interrupt orders
                        // what the interrupter did before it with the handler that catches it
                        code.insertBefore(insn, races("quietCallOut", "()V"));
                        code.insert(insn, races("callBack", "()V"));
                    }
                }
                case Opcodes.GETFIELD, Opcodes.PUTFIELD, Opcodes.GETSTATIC, Opcodes.PUTSTATIC -> {
                    if (!constructor) {
                        field(code, (FieldInsnNode) insn);
                    }
                }
                case Opcodes.IALOAD, Opcodes.LALOAD, Opcodes.FALOAD, Opcodes.DALOAD, Opcodes.AALOAD, Opcodes.BALOAD,
                        Opcodes.CALOAD, Opcodes.SALOAD -> {
                    if (!constructor && checkedLoads.contains(insn)) {
                        elementRead(code, insn);
                    }
                }
                case Opcodes.IASTORE, Opcodes.LASTORE, Opcodes.FASTORE, Opcodes.DASTORE, Opcodes.AASTORE, Opcodes.BASTORE,
                        Opcodes.CASTORE, Opcodes.SASTORE -> {
                    if (!constructor) {
                        elementWrite(code, insn);
                    }
                }
                default -> {
                }
            }
        }

        /**
         * Before a call that reads or changes a collection: hands the receiver to {@link Races#collection},
         * taken from under the call's arguments (calls with more than two, or a long or double, are not followed).
         */
        private void collection(InsnList code, MethodInsnNode call) {
            int opcode = call.getOpcode();
            boolean changes = CHANGES.contains(call.name);
            // only before a call out: the hook tells the callOut that follows whether the call synchronises
            if (opcode != Opcodes.INVOKEVIRTUAL && opcode != Opcodes.INVOKEINTERFACE || !COLLECTIONS.contains(call.owner)
                    || !changes && !READS.contains(call.name) || !callsOut(call)) {
                return;
            }
            Type[] args = Type.getArgumentTypes(call.desc);
            if (args.length > 2 || java.util.Arrays.stream(args).anyMatch(t -> t.getSize() == 2)) {
                return;
            }
            InsnList before = new InsnList();
            switch (args.length) {
                case 0 -> before.add(new InsnNode(Opcodes.DUP));
                case 1 -> { // receiver, a -> receiver, a, receiver
                    before.add(new InsnNode(Opcodes.SWAP));
                    before.add(new InsnNode(Opcodes.DUP_X1));
                }
                default -> { // receiver, a, b -> receiver, a, b, receiver
                    before.add(new InsnNode(Opcodes.DUP2_X1));
                    before.add(new InsnNode(Opcodes.POP2));
                    before.add(new InsnNode(Opcodes.DUP_X2));
                }
            }
            int site = Sites.addCall(call.owner, call.name, changes, type.name, type.sourceFile, line, method.name);
            before.add(new LdcInsnNode(site));
            before.add(races("collection", "(Ljava/lang/Object;I)V"));
            code.insertBefore(call, before);
        }

        /**
         * The locals every store to which is a field's array ({@code long[] s = stats}, or the copy
         * an enhanced {@code for} makes of {@code stats}); a method's parameters are not among them.
         */
        private void findFieldArrayLocals(List<AbstractInsnNode> original) {
            int parameters = (Type.getArgumentsAndReturnSizes(method.desc) >> 2)
                    - ((method.access & Opcodes.ACC_STATIC) != 0 ? 1 : 0);
            Map<Integer, Boolean> onlyFieldArrays = new HashMap<>();
            for (AbstractInsnNode insn : original) {
                if (insn.getOpcode() == Opcodes.ASTORE) {
                    AbstractInsnNode value = previous(insn);
                    boolean fieldArray = value instanceof FieldInsnNode field && field.desc.startsWith("[")
                            && (value.getOpcode() == Opcodes.GETFIELD || value.getOpcode() == Opcodes.GETSTATIC);
                    onlyFieldArrays.merge(((VarInsnNode) insn).var, fieldArray, Boolean::logicalAnd);
                }
            }
            onlyFieldArrays.forEach((local, only) -> {
                if (only && local >= parameters) {
                    fieldArrayLocals.add(local);
                }
            });
        }

        /**
         * Whether an element read takes its array from a field ({@code stats[0]}, {@code stats[i]++}),
         * directly or through a local that holds only that ({@code long[] s = stats; s[0]}): the
         * reads worth checking, where counters and flags shared through an array are read. A loop
         * over an array handed in as a parameter (an index to digest) is not checked: it would pay a
         * call per element for races that are rare there.
         */
        private boolean readsAFieldsArray(AbstractInsnNode load) {
            AbstractInsnNode before = previous(load);
            if (before != null && before.getOpcode() == Opcodes.DUP2) { // array[i]++: array, index, dup2, load
                before = previous(before);
            }
            if (before == null || !pushesAnIndex(before)) {
                return false;
            }
            AbstractInsnNode array = previous(before);
            if (array instanceof VarInsnNode local && array.getOpcode() == Opcodes.ALOAD) {
                return fieldArrayLocals.contains(local.var);
            }
            return array != null && (array.getOpcode() == Opcodes.GETFIELD || array.getOpcode() == Opcodes.GETSTATIC);
        }

        private static boolean isArrayLoad(int opcode) {
            return opcode >= Opcodes.IALOAD && opcode <= Opcodes.SALOAD;
        }

        private static boolean pushesAnIndex(AbstractInsnNode insn) {
            int opcode = insn.getOpcode();
            return opcode >= Opcodes.ICONST_M1 && opcode <= Opcodes.ICONST_5 || opcode == Opcodes.BIPUSH
                    || opcode == Opcodes.SIPUSH || opcode == Opcodes.ILOAD
                    || opcode == Opcodes.LDC && ((LdcInsnNode) insn).cst instanceof Integer;
        }

        /** The instruction before {@code insn}, labels, lines and frames skipped. */
        private static AbstractInsnNode previous(AbstractInsnNode insn) {
            AbstractInsnNode p = insn.getPrevious();
            while (p != null && p.getOpcode() < 0) {
                p = p.getPrevious();
            }
            return p;
        }

        /**
         * After {@code array[index]} is read, as a field's read is checked after it (writes are noted
         * before they are made): the array and index kept under the value, then taken from under it.
         */
        private void elementRead(InsnList code, AbstractInsnNode insn) {
            InsnList before = new InsnList();
            before.add(new InsnNode(Opcodes.DUP2));
            InsnList after = new InsnList();
            valueUnderArrayAndIndex(after, insn.getOpcode() == Opcodes.LALOAD || insn.getOpcode() == Opcodes.DALOAD);
            after.add(new LdcInsnNode(Sites.addElement(type.name, type.sourceFile, line, method.name, false)));
            after.add(races("elementRead", "(Ljava/lang/Object;II)V"));
            code.insertBefore(insn, before);
            code.insert(insn, after);
        }

        /** Before {@code array[index] = value}: the array and index copied from under the value. */
        private void elementWrite(InsnList code, AbstractInsnNode insn) {
            boolean wide = insn.getOpcode() == Opcodes.LASTORE || insn.getOpcode() == Opcodes.DASTORE;
            InsnList before = new InsnList();
            valueUnderArrayAndIndex(before, wide);
            // value, array, index -> array, index, value, array, index
            before.add(new InsnNode(wide ? Opcodes.DUP2_X2 : Opcodes.DUP2_X1));
            before.add(new LdcInsnNode(Sites.addElement(type.name, type.sourceFile, line, method.name, true)));
            before.add(races("elementWrite", "(Ljava/lang/Object;II)V"));
            code.insertBefore(insn, before);
        }

        /** array, index, value (a long or double: {@code wide}) -> value, array, index. */
        private static void valueUnderArrayAndIndex(InsnList code, boolean wide) {
            code.add(new InsnNode(wide ? Opcodes.DUP2_X2 : Opcodes.DUP_X2));
            code.add(new InsnNode(wide ? Opcodes.POP2 : Opcodes.POP));
        }

        private void field(InsnList code, FieldInsnNode insn) {
            LearnerFields.Field field = fields.find(insn.owner, insn.name);
            if (field == null || field.isFinal()) {
                return;
            }
            int site = Sites.add(field.declaringClass(), insn.name, type.sourceFile, line, method.name);
            boolean wide = Type.getType(insn.desc).getSize() == 2;
            boolean isStatic = insn.getOpcode() == Opcodes.GETSTATIC || insn.getOpcode() == Opcodes.PUTSTATIC;
            boolean reads = insn.getOpcode() == Opcodes.GETFIELD || insn.getOpcode() == Opcodes.GETSTATIC;
            InsnList before = new InsnList();
            InsnList after = new InsnList();
            if (reads) {
                // After the read, with the owner taken from under the value: a volatile read acquires
                // what the write it saw released, and a plain read is checked against the write whose
                // value it may have seen (writes are noted before they are made).
                if (isStatic) {
                    after.add(new LdcInsnNode(Type.getObjectType(field.declaringClass())));
                } else {
                    before.add(new InsnNode(Opcodes.DUP));
                    if (wide) {
                        after.add(new InsnNode(Opcodes.DUP2_X1));
                        after.add(new InsnNode(Opcodes.POP2));
                    } else {
                        after.add(new InsnNode(Opcodes.SWAP));
                    }
                }
                after.add(new LdcInsnNode(site));
                after.add(races(field.isVolatile() ? "volatileRead" : "read", "(Ljava/lang/Object;I)V"));
            } else {
                if (isStatic) {
                    before.add(new LdcInsnNode(Type.getObjectType(field.declaringClass())));
                } else if (wide) { // owner, value(2) -> owner, value, owner
                    before.add(new InsnNode(Opcodes.DUP2_X1));
                    before.add(new InsnNode(Opcodes.POP2));
                    before.add(new InsnNode(Opcodes.DUP_X2));
                } else { // owner, value -> owner, value, owner
                    before.add(new InsnNode(Opcodes.SWAP));
                    before.add(new InsnNode(Opcodes.DUP_X1));
                }
                before.add(new LdcInsnNode(site));
                if (field.isVolatile()) {
                    before.add(races("volatileWrite", "(Ljava/lang/Object;I)V"));
                } else {
                    before.add(races("write", "(Ljava/lang/Object;I)V"));
                    after.add(races("wrote", "()V"));
                }
            }
            code.insertBefore(insn, before);
            code.insert(insn, after);
        }
    }
}
