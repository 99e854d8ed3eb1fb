package dev.kata.probe;

import java.net.URL;
import java.util.Set;
import java.util.function.UnaryOperator;

/** For rewriter tests: a class of the test sources, loaded as the probe loads a learner class. */
public final class RewrittenClasses {
    private RewrittenClasses() {
    }

    /** {@code type}, loaded again from its classes folder through {@code rewrite}, hiding the copy already loaded. */
    public static Class<?> load(Class<?> type, UnaryOperator<byte[]> rewrite) throws ClassNotFoundException {
        String name = type.getName();
        URL classes = type.getProtectionDomain().getCodeSource().getLocation();
        ClassLoader without = new ClassLoader(type.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (n.startsWith(name)) {
                    throw new ClassNotFoundException(n);
                }
                return super.loadClass(n, resolve);
            }
        };
        return Class.forName(name, true, LearnerClassLoader.rewriting(classes, without, Set.of(name), rewrite));
    }
}
