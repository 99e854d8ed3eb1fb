package dev.kata.probe.loaderfixture;

/** Stands for a stress test of the learner's class in {@code LearnerClassLoaderTest}. */
public final class StressUse {
    public static Class<?> counterType() {
        return new Counter().getClass();
    }
}
