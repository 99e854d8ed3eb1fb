package dev.kata.probe;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.Set;

/**
 * Keeps the model checker's instrumentation in place from one model-checked test to the next. Left
 * to itself, the checker instruments the JDK and the tested classes before each of its tests and
 * undoes it after: about 0.2 s a test, and most of a second for the first one after the warm-up
 * (measured on JDK 25). The probe instead instruments once, before the warm-up, and undoes it when
 * a test class that does not use the checker starts, so that real-thread tests run the classes as
 * compiled.
 *
 * <p>While the probe holds the instrumentation, the checker is told that its agent was attached at
 * start-up, the one case in which it leaves instrumenting to whoever attached it. Once released it
 * is told the agent was attached at run time, and instruments each test itself again: a
 * model-checked test in a class the probe did not foresee is still checked, only slower. (Marked
 * "attached at start-up" with nothing installed, the checker would pass every test unchecked.)
 * Reflection only: other test JVMs do not have the checker on their class path.
 */
final class ModelCheckerAgent {
    private static final String INSTRUMENTATION = "org.jetbrains.lincheck.jvm.agent.LincheckInstrumentation";
    private static final String MODE = "org.jetbrains.lincheck.jvm.agent.InstrumentationMode";
    private static final String ATTACH_TYPE = "org.jetbrains.lincheck.jvm.agent.JavaAgentAttachType";

    /** Top-level test classes whose class files name the checker: these run with the instrumentation held. */
    private static volatile Set<String> modelCheckedClasses = Set.of();
    private static boolean held;
    /** Set when holding failed once: from then on the checker does it its own way. */
    private static boolean givenUp;

    private ModelCheckerAgent() {
    }

    static void modelCheckedClasses(Set<String> classes) {
        modelCheckedClasses = Set.copyOf(classes);
    }

    /** Before the tests of a class: held for a class that uses the checker, released for one that does not. */
    static void classStarting(String className) {
        if (!Boolean.getBoolean(ModelCheckerWarmUp.ENABLED) || (Probe.stopAtFirstFailure && Probe.failedOnce)) {
            return; // nor when no test is left to run
        }
        if (modelCheckedClasses.contains(ThreadDescriber.topLevel(className))) {
            ModelCheckerWarmUp.beforeModelCheckedClass();
            hold();
        } else {
            release();
        }
    }

    static synchronized void hold() {
        if (held || givenUp) {
            return;
        }
        try {
            Class<?> type = Class.forName(INSTRUMENTATION);
            Object checker = type.getField("INSTANCE").get(null);
            if (!(Boolean) type.getMethod("isInitialized").invoke(checker)) {
                Object instrumentation = Class.forName("net.bytebuddy.agent.ByteBuddyAgent").getMethod("install")
                        .invoke(null);
                type.getMethod("attachJavaAgentDynamically", Instrumentation.class).invoke(checker, instrumentation);
                try {
                    ModelCheckerCalls.enter(type, checker);
                } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
                    // only slower: the checker looks its calls up itself
                }
            }
            Class<?> mode = Class.forName(MODE);
            type.getMethod("install", mode).invoke(checker, enumConstant(mode, "MODEL_CHECKING"));
            try {
                setAttachType(type, "STATIC");
            } catch (ReflectiveOperationException | RuntimeException e) {
                type.getMethod("uninstall").invoke(checker);
                throw e;
            }
            held = true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            givenUp = true;
        }
    }

    static synchronized void release() {
        if (!held) {
            return;
        }
        held = false;
        try {
            Class<?> type = Class.forName(INSTRUMENTATION);
            try {
                type.getMethod("uninstall").invoke(type.getField("INSTANCE").get(null));
            } finally {
                setAttachType(type, "DYNAMIC");
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            givenUp = true;
        }
    }

    private static void setAttachType(Class<?> type, String attachType) throws ReflectiveOperationException {
        Field field = type.getDeclaredField("javaAgentAttachType");
        field.setAccessible(true);
        field.set(null, enumConstant(Class.forName(ATTACH_TYPE), attachType));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }
}
