package dev.kata.grader;

import java.io.Writer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.List;
import javax.tools.DiagnosticListener;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;

/**
 * Runs javac tasks. Where the JDK lets us (the launcher and the jar's manifest export
 * {@code com.sun.tools.javac.api} to kata), tasks come from javac's own task pool, the one JShell
 * uses: it keeps the compiler's symbol tables between compilations, so the JDK's classes are read
 * once rather than on every check, which halves the time of a small compilation. The pool forgets
 * the classes each compilation defined, so a kata's classes compiled again are entered anew.
 * Without the export, every task starts from scratch, as {@link JavaCompiler#getTask} does.
 */
final class CompilerTasks {
    private static final String POOL = "com.sun.tools.javac.api.JavacTaskPool";

    private final JavaCompiler javac;
    private final Object pool;
    private final MethodHandle pooledTask;
    /** The pool's callback, which runs the task it is given. */
    private final Object callTask;
    /**
     * A pooled compiler keeps the file manager of its first compilation in its parts (the class
     * writer, the class finder), so every compilation gets this same one, which hands each call to
     * the file manager of the compilation under way on the calling thread (javac compiles on the
     * thread that calls it).
     */
    private final ThreadLocal<JavaFileManager> current = new ThreadLocal<>();
    private final JavaFileManager router = (JavaFileManager) Proxy.newProxyInstance(
            JavaFileManager.class.getClassLoader(), new Class<?>[] {JavaFileManager.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "hashCode": return System.identityHashCode(proxy);
                    case "equals": return proxy == args[0];
                    case "toString": return "kata's file manager router";
                    default: break;
                }
                JavaFileManager files = current.get();
                if (files == null) {
                    throw new IllegalStateException("no compilation under way on this thread");
                }
                try {
                    return method.invoke(files, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    private CompilerTasks(JavaCompiler javac, Object pool, MethodHandle pooledTask, Class<?> worker) {
        this.javac = javac;
        this.pool = pool;
        this.pooledTask = pooledTask;
        this.callTask = worker == null ? null : Proxy.newProxyInstance(worker.getClassLoader(), new Class<?>[] {worker},
                (proxy, method, args) -> switch (method.getName()) {
                    case "withTask" -> ((JavaCompiler.CompilationTask) args[0]).call();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "kata's javac worker";
                });
    }

    /** @param contexts compilations that may run at once and keep their symbol tables */
    static CompilerTasks of(JavaCompiler javac, int contexts) {
        boolean exported = ModuleLayer.boot().findModule("jdk.compiler")
                .map(m -> m.isExported("com.sun.tools.javac.api", CompilerTasks.class.getModule()))
                .orElse(false);
        if (exported && !Boolean.getBoolean("kata.javac.noPool")) {
            try {
                Class<?> poolClass = Class.forName(POOL);
                Class<?> worker = Class.forName(POOL + "$Worker");
                MethodHandle task = MethodHandles.lookup().findVirtual(poolClass, "getTask",
                        MethodType.methodType(Object.class, Writer.class, JavaFileManager.class,
                                DiagnosticListener.class, Iterable.class, Iterable.class, Iterable.class, worker));
                Object pool = poolClass.getConstructor(int.class).newInstance(contexts);
                return new CompilerTasks(javac, pool, task, worker);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                // a JDK without the pool, or with a different one: plain tasks
            }
        }
        return new CompilerTasks(javac, null, null, null);
    }

    boolean pooled() {
        return pool != null;
    }

    /** Compiles {@code units}, with a compiler that starts from scratch if {@code fresh}; true if there were no errors. */
    boolean compile(Writer out, JavaFileManager files, DiagnosticListener<? super JavaFileObject> diagnostics,
            List<String> options, Iterable<? extends JavaFileObject> units, boolean fresh) {
        if (pool == null || fresh) {
            return javac.getTask(out, files, diagnostics, options, null, units).call();
        }
        current.set(files);
        try {
            return (Boolean) pooledTask.invoke(pool, out, router, diagnostics, options, null, units, callTask);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            current.remove();
        }
    }
}
