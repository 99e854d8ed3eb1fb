package dev.kata.probe;

/**
 * One thread of the test as the deadlock detector sees it at one look.
 *
 * @param name      the thread's name
 * @param virtual   whether it is a virtual thread (whose Java state is exact: an unparked one reads RUNNABLE)
 * @param state     its Java state
 * @param outside   whether it waits on I/O or another process, which can wake it without any thread's help
 * @param call      the JDK method it is blocked in, such as {@code SynchronousQueue.put}, or null
 * @param blocker   identity of the object it is parked on (0 for none)
 * @param released  whether that object's own state says the wait is over (a latch at zero, a free lock)
 * @param signature what must stay the same between looks for the thread to count as not moving
 * @param kernel    the kernel's word on its task (platform threads)
 */
record Waiter(
        String name,
        boolean virtual,
        Thread.State state,
        boolean outside,
        String call,
        int blocker,
        boolean released,
        String signature,
        KernelThreads.View kernel) {

    /** Parked with no time limit or blocked on a monitor, on nothing from outside the JVM. */
    boolean waitsIndefinitely() {
        return (state == Thread.State.WAITING || state == Thread.State.BLOCKED) && !outside;
    }
}
