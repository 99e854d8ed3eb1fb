package dev.kata.probe;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/**
 * Fills in, ahead of its first use, the model checker's table of the calls its instrumentation
 * inserts. The checker names each inserted call by a Kotlin function reference and looks up the
 * method behind it through Kotlin reflection, which builds Kotlin's model of the whole class: 1,100
 * classes of kotlin-reflect, and about a second of CPU more per test JVM (race-cache's solution:
 * 6.0 s of CPU without this, 4.9 s with it; JDK 25, Lincheck 3.7). The table is keyed by the reference's owner, name and
 * signature, so an entry made here from plain Java reflection is the one the checker finds. A call
 * not entered here is looked up the checker's own way: this only saves time.
 *
 * <p>The inserted calls are the static methods of the classes the checker puts on the boot class
 * path (its {@code bootstrap.jar}). Reflection only: other test JVMs do not have the checker.
 */
final class ModelCheckerCalls {
    private static final String UTILS = "org.jetbrains.lincheck.jvm.agent.TransformationUtilsKt";
    private static final String BOOTSTRAP_JAR = "/bootstrap.jar";

    private ModelCheckerCalls() {
    }

    /**
     * Puts the checker's classes on the boot class path (it does so itself, idempotently, when it
     * installs) and enters each of their static methods in the table. The agent must be attached.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void enter(Class<?> instrumentationType, Object checker) throws ReflectiveOperationException, IOException {
        instrumentationType.getMethod("appendBootstrapJarToClassLoaderSearch").invoke(checker);
        Map table = (Map) Class.forName(UTILS).getMethod("getFunctionToDeclaringClassMap").invoke(null);
        Constructor<?> reference = Class.forName("kotlin.jvm.internal.FunctionReferenceImpl")
                .getConstructor(int.class, Class.class, String.class, String.class, int.class);
        Class<?> asmType = Class.forName("org.objectweb.asm.Type");
        Method typeOf = asmType.getMethod("getType", Class.class);
        Method descriptorOf = asmType.getMethod("getMethodDescriptor", Method.class);
        Method asmMethod = Class.forName("org.objectweb.asm.commons.Method").getMethod("getMethod", Method.class);
        Constructor<?> pair = Class.forName("kotlin.Pair").getConstructor(Object.class, Object.class);
        try (InputStream jar = instrumentationType.getResourceAsStream(BOOTSTRAP_JAR)) {
            if (jar == null) {
                return;
            }
            JarInputStream entries = new JarInputStream(jar);
            for (JarEntry entry; (entry = entries.getNextJarEntry()) != null; ) {
                String name = entry.getName();
                if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
                    continue;
                }
                // the boot loader's copy: the one the instrumented code calls
                Class<?> owner = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, null);
                Object ownerType = typeOf.invoke(null, owner);
                for (Method m : owner.getDeclaredMethods()) {
                    if (Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers())) {
                        Object key = reference.newInstance(m.getParameterCount(), owner, m.getName(),
                                m.getName() + descriptorOf.invoke(null, m), 0);
                        table.putIfAbsent(key, pair.newInstance(ownerType, asmMethod.invoke(null, m)));
                    }
                }
            }
        }
    }
}
