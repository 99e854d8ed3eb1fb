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
}
