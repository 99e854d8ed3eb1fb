package dev.kata.probe.api;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs a learner's {@code main} for {@link MainRunner}, and ends its JVM if the test JVM that
 * started it is gone. The test JVM can end abruptly (a test over its time, a fail-fast stop): its
 * children would then be orphans that nobody reaps, running the learner's code for ever.
 */
public final class OrphanGuard {
    private OrphanGuard() {
    }

    public static void main(String[] args) throws Throwable {
        ProcessHandle.current().parent().ifPresent(parent -> Thread.ofPlatform().daemon().name("kata-orphan-guard")
                .start(() -> {
                    parent.onExit().join();
                    Runtime.getRuntime().halt(137);
                }));
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the JVM reports it as the learner's main would have
        }
    }
}
