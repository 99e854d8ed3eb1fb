package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kata.probe.loaderfixture.CheckedUse;
import dev.kata.probe.loaderfixture.Counter;
import dev.kata.probe.loaderfixture.StressUse;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class LearnerClassLoaderTest {
    private final URL classes = Counter.class.getProtectionDomain().getCodeSource().getLocation();
    private final ClassLoader parent = Counter.class.getClassLoader();
    private final List<String> rewritten = new ArrayList<>();

    @Test
    void aParentThatHasTheClassesIsAskedFirstByDefault() throws Exception {
        ClassLoader loader = LearnerClassLoader.rewriting(classes, parent, Set.of(Counter.class.getName()), recording());

        assertSame(Counter.class, loader.loadClass(Counter.class.getName()));
        assertEquals(List.of(), rewritten);
    }

    @Test
    void aModelCheckedKataStillGetsARewrittenCopyForItsStressTests() throws Exception {
        ClassLoader loader = LearnerClassLoader.rewriting(classes, parent, Set.of(Counter.class.getName()), recording(),
                Set.of(CheckedUse.class.getName()));

        Class<?> stress = loader.loadClass(StressUse.class.getName());
        Class<?> counter = (Class<?>) stress.getMethod("counterType").invoke(null);
        assertSame(loader, stress.getClassLoader());
        assertSame(loader, counter.getClassLoader());
        assertNotSame(Counter.class, counter);
        assertEquals(List.of(Counter.class.getName()), rewritten);
    }

    @Test
    void theSharedTestsSeeTheClassesAsCompiled() throws Exception {
        ClassLoader loader = LearnerClassLoader.rewriting(classes, parent, Set.of(Counter.class.getName()), recording(),
                Set.of(CheckedUse.class.getName()));

        Class<?> checked = loader.loadClass(CheckedUse.class.getName());
        assertSame(CheckedUse.class, checked);
        assertSame(Counter.class, checked.getMethod("counterType").invoke(null));
        assertEquals(List.of(), rewritten);
    }

    private UnaryOperator<byte[]> recording() {
        return bytes -> {
            rewritten.add(Counter.class.getName());
            return bytes;
        };
    }
}
