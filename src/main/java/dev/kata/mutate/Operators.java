package dev.kata.mutate;

import java.util.List;

/** The concurrency mutation operators, in the order their mutants are listed. */
final class Operators {
    private Operators() {
    }

    static final List<Operator> ALL = List.of(
            RemoveModifier.SYNCHRONIZED,
            CriticalRegion.REMOVE_SYNCHRONIZED_BLOCK,
            RemoveModifier.VOLATILE,
            CriticalRegion.SHRINK,
            CriticalRegion.SHIFT,
            CriticalRegion.SKIP,
            new SwapLockOrder(),
            new RemoveCall(),
            new RemoveTryResource(),
            new WakeOne(),
            Timeouts.SHRINK,
            Timeouts.DROP,
            new AtomicGetThenSet(),
            new MapGetThenPut(),
            new PlainCollection(),
            new OutOfFinally());
}
