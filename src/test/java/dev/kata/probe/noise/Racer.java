package dev.kata.probe.noise;

import java.util.concurrent.atomic.AtomicInteger;

/** Learner-like code for NoiseRewriterTest: counters updated with and without a gap between read and write. */
public class Racer {
    private final AtomicInteger atomic = new AtomicInteger();
    private int plain;

    public Racer() {
        plain = 0;
    }

    public void splitIncrement() {
        atomic.set(atomic.get() + 1);
    }

    public void atomicIncrement() {
        atomic.incrementAndGet();
    }

    public void plainIncrement() {
        plain++;
    }

    public int atomicValue() {
        return atomic.get();
    }

    public int plainValue() {
        return plain;
    }
}
