package dev.kata.probe.api;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every live thread of the test JVM, virtual ones included, for the probe and for hidden tests
 * that count the threads learner code keeps alive. {@code Thread.getAllStackTraces()} misses
 * virtual threads, so this walks the JDK's thread containers (the same source the JDK's own
 * thread dump uses); it needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED},
 * which the grader passes. Without it, it falls back to platform threads only.
 */
public final class LiveThreads {
    private static final Method ROOT;
    private static final Method CHILDREN;
    private static final Method THREADS;

    static {
        Method root = null;
        Method children = null;
        Method threads = null;
        try {
            Class<?> containers = Class.forName("jdk.internal.vm.ThreadContainers");
            Class<?> container = Class.forName("jdk.internal.vm.ThreadContainer");
            root = containers.getMethod("root");
            children = container.getMethod("children");
            threads = container.getMethod("threads");
            root.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            root = null;
        }
        ROOT = root;
        CHILDREN = children;
        THREADS = threads;
    }

    private LiveThreads() {
    }

    /** Whether {@link #all()} sees virtual threads (it does under the grader). */
    public static boolean seesVirtualThreads() {
        return ROOT != null;
    }

    /** Every live thread of this JVM. */
    public static List<Thread> all() {
        if (ROOT == null) {
            return new ArrayList<>(Thread.getAllStackTraces().keySet());
        }
        List<Thread> all = new ArrayList<>();
        try {
            Deque<Object> todo = new ArrayDeque<>();
            todo.add(ROOT.invoke(null));
            while (!todo.isEmpty()) {
                Object container = todo.poll();
                try (Stream<?> threads = (Stream<?>) THREADS.invoke(container)) {
                    threads.forEach(t -> {
                        Thread thread = (Thread) t;
                        if (thread.isAlive()) {
                            all.add(thread);
                        }
                    });
                }
                try (Stream<?> children = (Stream<?>) CHILDREN.invoke(container)) {
                    children.forEach(todo::add);
                }
            }
        } catch (ReflectiveOperationException e) {
            return new ArrayList<>(Thread.getAllStackTraces().keySet());
        }
        return all;
    }

    /**
     * Whether {@code t} belongs to the JVM or to the grader rather than to the learner's code or the
     * test (carrier threads, the JDK's own singletons, an idle common-pool worker, the probe's
     * threads): the probe never reports these as leaks, and tests counting the threads that learner
     * code keeps alive leave them out.
     */
    public static boolean isJvmOrGrader(Thread t) {
        String name = t.getName();
        if (name.startsWith("kata-probe")) {
            return true;
        }
        if (t.isVirtual()) {
            return isSocketSubPoller(t);
        }
        ThreadGroup group = t.getThreadGroup();
        String groupName = group == null ? "" : group.getName();
        if (groupName.equals("system") || groupName.equals("InnocuousThreadGroup")
                || groupName.equals("CarrierThreads")) {
            return true;
        }
        String type = t.getClass().getName();
        if (type.equals("jdk.internal.misc.CarrierThread") || type.startsWith("jdk.internal.misc.InnocuousThread")) {
            return true;
        }
        // JDK singletons that linger by design once anything has used them.
        return name.equals("CompletableFutureDelayScheduler") || name.endsWith("-delayScheduler")
                || (name.startsWith("ForkJoinPool.commonPool-worker") && isIdlePoolWorker(t));
    }

    /**
     * One of the JDK's socket pollers for virtual threads: virtual threads of its own, started the
     * first time a virtual thread waits on a socket, that live as long as the JVM.
     */
    private static boolean isSocketSubPoller(Thread t) {
        if (!t.getName().startsWith("SubPoller-")) {
            return false;
        }
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().equals("sun.nio.ch.Poller")) {
                return true;
            }
        }
        return false;
    }

    /** A pool worker parked waiting for work, with no task of anyone's on its stack. */
    private static boolean isIdlePoolWorker(Thread t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            String c = frame.getClassName();
            if (!(c.startsWith("java.util.concurrent.") || c.startsWith("jdk.internal.") || c.equals("java.lang.Thread"))) {
                return false;
            }
        }
        return true;
    }
}
