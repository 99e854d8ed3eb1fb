package dev.kata.probe.loaderfixture;

/** Stands for a model-checked test of the learner's class in {@code LearnerClassLoaderTest}. */
public final class CheckedUse {
    public static Class<?> counterType() {
        return new Counter().getClass();
    }
}
