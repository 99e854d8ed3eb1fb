package dev.kata.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Where the model checker cannot follow the learner's code: work handed to a thread pool
 * ({@code CompletableFuture.supplyAsync}, an executor, a parallel stream, a timer) or to a virtual
 * thread. The checker schedules only the threads a scenario starts itself; a task that runs on a
 * pool's worker (the common pool's outlives the scenario) or on a virtual thread is never run in its
 * model, so a correct fix looks to it like threads that wait for ever (measured: a race-cache fix
 * loading on a virtual-thread executor was called a deadlock after 50 s). Such code is judged by
 * the stress tests alone, and the model-checked tests say so instead of running.
 */
final class ModelCheckerReach {
    private static final Set<String> POOL_TYPES = Set.of("java/util/concurrent/Executor",
            "java/util/concurrent/ExecutorService", "java/util/concurrent/ScheduledExecutorService",
            "java/util/concurrent/AbstractExecutorService", "java/util/concurrent/ThreadPoolExecutor",
            "java/util/concurrent/ScheduledThreadPoolExecutor", "java/util/concurrent/ForkJoinPool",
            "java/util/concurrent/Executors", "java/util/concurrent/CompletionService",
            "java/util/concurrent/ExecutorCompletionService", "java/util/Timer");

    private ModelCheckerReach() {
    }

    /**
     * The first place in the learner's classes that hands work to a thread the model checker cannot
     * follow, as "CompletableFuture.supplyAsync at PatientCache.java:37"; null if there is none.
     */
    static String firstHandOff(Path classes, Set<String> learner) {
        try (Stream<Path> files = Files.walk(classes)) {
            List<Path> own = files.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> learner.contains(ThreadDescriber.topLevel(className(classes.relativize(p)))))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            for (Path file : own) {
                String found = firstHandOff(Files.readAllBytes(file));
                if (found != null) {
                    return found;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable classes: the model checker runs as usual
        }
        return null;
    }

    static String firstHandOff(byte[] classFile) {
        String[] found = new String[1];
        String[] source = new String[1];
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visitSource(String file, String debug) {
                source[0] = file;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    private int line;

                    @Override
                    public void visitLineNumber(int number, Label start) {
                        line = number;
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        if (found[0] == null && handsOff(owner, method)) {
                            found[0] = simpleName(owner) + "." + method
                                    + (source[0] == null || line <= 0 ? "" : " at " + source[0] + ":" + line);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return found[0];
    }

    static boolean handsOff(String owner, String method) {
        if (owner.equals("java/util/concurrent/CompletableFuture")) {
            return method.endsWith("Async") || method.equals("delayedExecutor");
        }
        if (owner.equals("java/lang/Thread")) {
            return method.equals("ofVirtual") || method.equals("startVirtualThread");
        }
        if (owner.startsWith("java/util/stream/") || owner.equals("java/util/Collection")
                || owner.startsWith("java/util/List") || owner.startsWith("java/util/Set")) {
            return method.equals("parallel") || method.equals("parallelStream");
        }
        return POOL_TYPES.contains(owner) || owner.startsWith("java/util/concurrent/StructuredTaskScope");
    }

    private static String simpleName(String internalName) {
        return internalName.substring(internalName.lastIndexOf('/') + 1).replace('$', '.');
    }

    /** The binary name of the class in a class file, from its path under the classes folder. */
    private static String className(Path relative) {
        String name = relative.toString().replace(java.io.File.separatorChar, '.');
        return name.substring(0, name.length() - ".class".length());
    }
}
