package dev.kata.probe.files;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Set;

/**
 * Loads the compiled kata (learner classes and hidden tests) and, for katas about leaked files,
 * has each learner class report the files it opens (see {@link OpenSiteRewriter}). Other classes
 * load as they are.
 */
public final class LearnerClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Set<String> learnerClasses;

    private LearnerClassLoader(URL classes, ClassLoader parent, Set<String> learnerClasses) {
        super(new URL[] {classes}, parent);
        this.learnerClasses = learnerClasses;
    }

    /** A loader of {@code classes} that records where the top-level {@code learnerClasses} (and their nested classes) open files. */
    public static URLClassLoader reportingOpens(URL classes, ClassLoader parent, Set<String> learnerClasses) {
        return new LearnerClassLoader(classes, parent, Set.copyOf(learnerClasses));
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
            bytes = OpenSiteRewriter.rewrite(in.readAllBytes());
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
