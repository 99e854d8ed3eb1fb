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
 */
public final class LearnerClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Set<String> learnerClasses;
    private final UnaryOperator<byte[]> rewrite;

    private LearnerClassLoader(URL classes, ClassLoader parent, Set<String> learnerClasses, UnaryOperator<byte[]> rewrite) {
        super(new URL[] {classes}, parent);
        this.learnerClasses = learnerClasses;
        this.rewrite = rewrite;
    }

    /** A loader of {@code classes} that passes the top-level {@code learnerClasses} (and their nested classes) through {@code rewrite}. */
    public static URLClassLoader rewriting(URL classes, ClassLoader parent, Set<String> learnerClasses,
            UnaryOperator<byte[]> rewrite) {
        return new LearnerClassLoader(classes, parent, Set.copyOf(learnerClasses), rewrite);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        int nested = name.indexOf('$');
        if (!learnerClasses.contains(nested < 0 ? name : name.substring(0, nested))) {
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
