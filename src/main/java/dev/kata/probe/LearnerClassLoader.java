package dev.kata.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Loads the compiled kata (learner classes and hidden tests), rewriting each learner class as it
 * loads: to report the files it opens (katas about leaked files, see
 * {@link dev.kata.probe.files.OpenSiteRewriter}), or to perturb its timing where races hide (see
 * {@link dev.kata.probe.noise.NoiseRewriter}). Other classes load as they are.
 *
 * <p>In a kata whose tests use the model checker, the compiled classes are on the test JVM's own
 * class path too, where the model checker finds them. This loader still defines its own, rewritten
 * copy of the kata's classes (it asks its parent last), except for the classes it is told to share:
 * the model-checked tests, which then see the learner's classes as they were compiled. So one kata
 * can have both an interleaving explored by the model checker and a stress test whose accesses the
 * race detector follows.
 */
public final class LearnerClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Set<String> learnerClasses;
    private final UnaryOperator<byte[]> rewrite;
    /** Null where the parent cannot load the kata's classes: then it is asked first, as usual. */
    private final Set<String> shared;

    private LearnerClassLoader(URL classes, ClassLoader parent, Set<String> learnerClasses, UnaryOperator<byte[]> rewrite,
            Set<String> shared) {
        super(new URL[] {classes}, parent);
        this.learnerClasses = learnerClasses;
        this.rewrite = rewrite;
        this.shared = shared;
    }

    /** A loader of {@code classes} that passes the top-level {@code learnerClasses} (and their nested classes) through {@code rewrite}. */
    public static URLClassLoader rewriting(URL classes, ClassLoader parent, Set<String> learnerClasses,
            UnaryOperator<byte[]> rewrite) {
        return new LearnerClassLoader(classes, parent, Set.copyOf(learnerClasses), rewrite, null);
    }

    /**
     * As {@link #rewriting(URL, ClassLoader, Set, UnaryOperator)}, for a parent that can load the
     * same classes: each class of {@code classes} is defined here all the same, except the top-level
     * {@code shared} ones (and their nested classes), which the parent loads.
     */
    public static URLClassLoader rewriting(URL classes, ClassLoader parent, Set<String> learnerClasses,
            UnaryOperator<byte[]> rewrite, Set<String> shared) {
        return new LearnerClassLoader(classes, parent, Set.copyOf(learnerClasses), rewrite, Set.copyOf(shared));
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared == null || shared.contains(ThreadDescriber.topLevel(name))
                || findResource(name.replace('.', '/') + ".class") == null) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = findClass(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!learnerClasses.contains(ThreadDescriber.topLevel(name))) {
            return super.findClass(name);
        }
        URL resource = findResource(name.replace('.', '/') + ".class");
        if (resource == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = resource.openStream()) {
            bytes = rewrite.apply(in.readAllBytes());
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0 && getDefinedPackage(name.substring(0, dot)) == null) {
            try {
                definePackage(name.substring(0, dot), null, null, null, null, null, null, null);
            } catch (IllegalArgumentException e) {
                // defined by another thread meanwhile
            }
        }
        return defineClass(name, bytes, 0, bytes.length);
    }
}
