package dev.kata.probe;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Turns a live thread into a {@link ThreadSnapshot} in the learner's terms: their frames first,
 * and the JDK call it is blocked in ("SynchronousQueue.put") rather than the park machinery.
 */
final class ThreadDescriber {
    private static final int MAX_FRAMES = 8;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private final Set<String> learnerClasses;
    private final Set<String> testClasses;

    ThreadDescriber(Set<String> learnerClasses, Set<String> testClasses) {
        this.learnerClasses = learnerClasses;
        this.testClasses = testClasses;
    }

    ThreadSnapshot describe(Thread t) {
        return describe(t, t.getStackTrace());
    }

    /** As {@link #describe(Thread)}, for a caller that already holds the thread's stack. */
    ThreadSnapshot describe(Thread t, StackTraceElement[] stack) {
        Thread.State state = t.getState();
        String waitingOn = null;
        String lockOwner = null;
        if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED) {
            waitingOn = blockingCall(stack);
            if (!t.isVirtual()) {
                ThreadInfo info = MX.getThreadInfo(t.threadId());
                if (info != null && info.getLockOwnerName() != null) {
                    lockOwner = info.getLockOwnerName();
                }
                if (state == Thread.State.BLOCKED && info != null && info.getLockName() != null) {
                    waitingOn = "synchronized (" + simpleName(info.getLockName()) + ")";
                }
            }
            if (state == Thread.State.BLOCKED && waitingOn == null) {
                waitingOn = "synchronized";
            }
            if (waitingOn == null) {
                Object blocker = LockSupport.getBlocker(t);
                waitingOn = blocker == null ? null : blocker.getClass().getSimpleName();
            }
        }
        List<String> frames = frames(stack);
        return new ThreadSnapshot(t.threadId(), t.getName(), t.isVirtual(), state, waitingOn, lockOwner,
                location(stack), frames, signature(t, state, stack));
    }

    /** The first learner frame as {@code File.java:line}, or null. */
    String location(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (isLearner(f)) {
                return f.getFileName() + ":" + f.getLineNumber();
            }
        }
        return null;
    }

    boolean isLearner(StackTraceElement f) {
        return learnerClasses.contains(topLevel(f.getClassName())) && f.getFileName() != null;
    }

    /** Whether {@code Counter.java} is the source of one of the learner's classes. */
    boolean isLearnerFile(String fileName) {
        if (fileName == null || !fileName.endsWith(".java")) {
            return false;
        }
        String simple = fileName.substring(0, fileName.length() - ".java".length());
        for (String c : learnerClasses) {
            if (c.equals(simple) || c.endsWith("." + simple)) {
                return true;
            }
        }
        return false;
    }

    boolean isTest(StackTraceElement f) {
        return testClasses.contains(topLevel(f.getClassName()));
    }

    /** Learner frames first, then the hidden tests' frames, then the JDK call it is blocked in. */
    List<String> frames(StackTraceElement[] stack) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement f : stack) {
            if (isLearner(f) && out.size() < MAX_FRAMES) {
                out.add(format(f));
            }
        }
        for (StackTraceElement f : stack) {
            if (isTest(f) && out.size() < MAX_FRAMES) {
                out.add(format(f));
            }
        }
        String call = blockingFrame(stack);
        if (call != null && out.size() < MAX_FRAMES) {
            out.add(call);
        }
        if (out.isEmpty()) {
            for (int i = 0; i < Math.min(stack.length, 4); i++) {
                out.add(format(stack[i]));
            }
        }
        return out;
    }

    /** The JDK method the first non-JDK frame called: what the thread is really blocked in. */
    static String blockingCall(StackTraceElement[] stack) {
        int i = firstNonJdk(stack);
        if (i <= 0) {
            return null;
        }
        StackTraceElement f = stack[i - 1];
        return simpleName(f.getClassName()) + "." + f.getMethodName();
    }

    private static String blockingFrame(StackTraceElement[] stack) {
        int i = firstNonJdk(stack);
        return i <= 0 ? null : format(stack[i - 1]);
    }

    private static int firstNonJdk(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            if (!isJdk(stack[i].getClassName())) {
                return i;
            }
        }
        return -1;
    }

    static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    static String topLevel(String className) {
        int dollar = className.indexOf('$');
        return dollar < 0 ? className : className.substring(0, dollar);
    }

    private static String simpleName(String className) {
        String top = className.substring(className.lastIndexOf('.') + 1);
        int dollar = top.indexOf('$');
        return dollar < 0 ? top : top.substring(0, dollar);
    }

    static String format(StackTraceElement f) {
        String cls = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1);
        String where = f.getFileName() == null ? "unknown source"
                : f.getLineNumber() >= 0 ? f.getFileName() + ":" + f.getLineNumber() : f.getFileName();
        return cls + "." + f.getMethodName() + "(" + where + ")";
    }

    /** What must stay the same between samples for a thread to count as not moving. */
    private static String signature(Thread t, Thread.State state, StackTraceElement[] stack) {
        StringBuilder s = new StringBuilder().append(t.threadId()).append(':').append(state);
        for (int i = 0; i < Math.min(stack.length, 6); i++) {
            s.append('|').append(stack[i]);
        }
        s.append('|').append(System.identityHashCode(LockSupport.getBlocker(t)));
        return s.toString();
    }
}
