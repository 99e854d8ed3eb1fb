package dev.kata.probe;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;

/** Takes a {@link WaitSample} of the running test from the live JVM. */
final class LiveWaits {
    /** {@code AbstractQueuedSynchronizer.getState}, where the test JVM opens it to the probe; else null. */
    private static final Method AQS_STATE = aqsState();

    private LiveWaits() {
    }

    /**
     * A look at the test's threads, or null when one of them is plainly able to move (runnable, or
     * in a timed wait): the cheap answer, taken before any stack is walked.
     */
    static WaitSample look(TestRun run, boolean onTime) {
        List<Thread> users = Probe.userThreads();
        if (run.testThread != null && !users.contains(run.testThread)) {
            users.add(run.testThread);
        }
        for (Thread t : users) {
            Thread.State s = t.getState();
            if (s != Thread.State.WAITING && s != Thread.State.BLOCKED) {
                return null;
            }
        }
        KernelThreads kernel = KernelThreads.read();
        List<Waiter> waiters = new ArrayList<>();
        for (Thread t : users) {
            StackTraceElement[] stack = t.getStackTrace();
            ThreadSnapshot snap = Probe.describer.describe(t, stack);
            Object blocker = LockSupport.getBlocker(t);
            waiters.add(new Waiter(t.getName(), t.isVirtual(), snap.state(), outside(stack),
                    ThreadDescriber.blockingCall(stack), blocker == null ? 0 : System.identityHashCode(blocker),
                    released(blocker), snap.signature(), view(kernel, t)));
        }
        List<KernelThreads.View> bystanders = new ArrayList<>();
        for (Thread t : ThreadCensus.liveThreads()) {
            if (!t.isVirtual() && ThreadCensus.isInfrastructure(t) && couldWakeOthers(t)) {
                bystanders.add(view(kernel, t));
            }
        }
        return new WaitSample(onTime, waiters, bystanders);
    }

    private static KernelThreads.View view(KernelThreads kernel, Thread t) {
        return kernel == null ? new KernelThreads.View(KernelThreads.Word.UNKNOWN, -1) : kernel.of(t.getName());
    }

    /** Pool workers, carriers of virtual threads and delay schedulers run other people's code. */
    static boolean couldWakeOthers(Thread t) {
        if (t.getName().startsWith("kata-probe")) {
            return false;
        }
        ThreadGroup group = t.getThreadGroup();
        String name = group == null ? "" : group.getName();
        return !name.equals("system") && !name.equals("InnocuousThreadGroup");
    }

    /** Waiting on I/O or another process, which could still wake it. */
    private static boolean outside(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.startsWith("sun.nio.ch.") || c.startsWith("java.net.") || c.startsWith("java.lang.ProcessImpl")
                    || c.startsWith("java.lang.ProcessHandleImpl") || c.startsWith("sun.net.")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the synchronizer a thread is parked on says that its wait is over. */
    static boolean released(Object blocker) {
        if (AQS_STATE == null || !(blocker instanceof AbstractQueuedSynchronizer sync)) {
            return false;
        }
        int state;
        try {
            state = (Integer) AQS_STATE.invoke(sync);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
        String type = sync.getClass().getName();
        if (type.startsWith("java.util.concurrent.CountDownLatch$")
                || type.startsWith("java.util.concurrent.locks.ReentrantLock$")
                || type.startsWith("java.util.concurrent.locks.ReentrantReadWriteLock$")) {
            return state == 0;
        }
        if (type.startsWith("java.util.concurrent.Semaphore$")) {
            return state > 0;
        }
        return false;
    }

    private static Method aqsState() {
        try {
            Method m = AbstractQueuedSynchronizer.class.getDeclaredMethod("getState");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
