package dev.kata.probe.api;

/**
 * An {@code Error} that a hidden test's double throws on purpose, standing for a dependency that
 * fails the hard way: a client library that cannot load a class, a parser that overflows its
 * stack. The learner's code may let it end the thread that called the dependency, as the JVM's
 * default handler would; the probe then does not report that thread as a dead worker. What the
 * fault must not break (a slot given back, a waiter woken, no thread left behind) is the test's to
 * check.
 */
public class InjectedFault extends Error {
    public InjectedFault(String message) {
        super(message);
    }

    /** True when {@code error} or one of its causes is a fault a test injected. */
    public static boolean isInjected(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) { // a cause chain may loop
            if (t instanceof InjectedFault) {
                return true;
            }
        }
        return false;
    }
}
