package dev.kata.probe;

/** How a verdict names a thread: its name in quotes, or, for one without a name (a virtual thread, say), what it is. */
public final class ThreadLabel {
    private ThreadLabel() {
    }

    public static String of(Thread thread) {
        if (!thread.getName().isEmpty()) {
            return "\"" + thread.getName() + "\"";
        }
        return (thread.isVirtual() ? "an unnamed virtual thread" : "an unnamed thread") + " (#" + thread.threadId() + ")";
    }
}
