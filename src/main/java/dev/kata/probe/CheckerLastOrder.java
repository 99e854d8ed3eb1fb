package dev.kata.probe;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The order of test classes in a check that stops at its first failure, with the model checker
 * started lazily: the classes that do not use the checker first, then those that do, each by name.
 * A failure among the first ends the check before the checker costs anything.
 */
public final class CheckerLastOrder implements ClassOrderer {
    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator
                .comparing((ClassDescriptor d) -> Probe.checkerLast.contains(d.getTestClass().getName()))
                .thenComparing(d -> d.getTestClass().getName()));
    }
}
