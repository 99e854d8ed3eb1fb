package dev.kata.grader;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the probe and JUnit live on this machine: the class path of the test JVM and of the
 * hidden tests' compilation. Found from the classes themselves, so it works the same from the
 * built jar and from Maven's test run.
 */
final class ProbeClassPath {
    private static final String[] ANCHORS = {
        "dev.kata.probe.ProbeMain",
        "org.junit.platform.launcher.Launcher",
        "org.junit.platform.launcher.core.LauncherFactory",
        "org.junit.platform.engine.TestEngine",
        "org.junit.platform.commons.util.ReflectionUtils",
        "org.junit.jupiter.api.Test",
        "org.junit.jupiter.engine.JupiterTestEngine",
        "org.junit.jupiter.params.ParameterizedTest",
        "org.opentest4j.AssertionFailedError",
        "org.apiguardian.api.API",
        "org.objectweb.asm.ClassReader",
        "org.objectweb.asm.commons.GeneratorAdapter",
        "org.objectweb.asm.tree.MethodNode",
    };

    private static volatile List<Path> entries;

    private ProbeClassPath() {
    }

    static List<Path> entries() {
        List<Path> found = entries;
        if (found == null) {
            Set<Path> paths = new LinkedHashSet<>();
            for (String anchor : ANCHORS) {
                paths.add(locate(anchor));
            }
            found = List.copyOf(new ArrayList<>(paths));
            entries = found;
        }
        return found;
    }

    /**
     * The folder of the tutor's jar (of its classes folder in a build): {@code lib/} beside it
     * holds the libraries only some test JVMs load (see {@link ModelChecker}).
     */
    static Path home() {
        return locate("dev.kata.probe.ProbeMain").getParent();
    }

    static String asString() {
        return String.join(File.pathSeparator, entries().stream().map(Path::toString).toList());
    }

    private static Path locate(String className) {
        try {
            Class<?> c = Class.forName(className, false, ProbeClassPath.class.getClassLoader());
            CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source == null) {
                throw new IllegalStateException("cannot locate " + className);
            }
            return Path.of(source.getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("the tutor's install is incomplete: " + className + " is missing", e);
        }
    }
}
