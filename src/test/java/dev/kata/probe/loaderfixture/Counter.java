package dev.kata.probe.loaderfixture;

/** Stands for a learner's class in {@code LearnerClassLoaderTest}. */
public final class Counter {
    public int count;
}
