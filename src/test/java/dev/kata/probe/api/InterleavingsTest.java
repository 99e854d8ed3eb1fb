package dev.kata.probe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class InterleavingsTest {

    @Test
    void theCheckersOwnErrorIsALimitNamedWhereTheLearnersCodeMetIt() {
        IllegalStateException e = thrownAt(new IllegalStateException("Unsupported VarHandle type: X"),
                frame("org.jetbrains.lincheck.util.AtomicMethodsKt", "AtomicMethods.kt", 414),
                frame("org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategy", "ManagedStrategy.kt", 1724),
                frame("sun.nio.ch.lincheck.Injections", "Injections.java", 789),
                frame("retainedslice.FrameIngest", "FrameIngest.java", 94));
        assertEquals("Unsupported VarHandle type: X at FrameIngest.java:94", Interleavings.checkerLimit(e));
    }

    @Test
    void anExceptionOfTheLearnersCodeIsNoLimit() {
        IllegalStateException e = thrownAt(new IllegalStateException("closed"),
                frame("retainedslice.FrameIngest", "FrameIngest.java", 94),
                frame("org.jetbrains.kotlinx.lincheck.runner.LambdaRunner", "LambdaRunner.kt", 40));
        assertNull(Interleavings.checkerLimit(e));
        assertNull(Interleavings.checkerLimit(new AssertionError("lost a header")));
    }

    private static StackTraceElement frame(String type, String file, int line) {
        return new StackTraceElement(type, "m", file, line);
    }

    private static <T extends Throwable> T thrownAt(T e, StackTraceElement... stack) {
        e.setStackTrace(stack);
        return e;
    }
}
