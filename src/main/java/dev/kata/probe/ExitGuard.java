package dev.kata.probe;

import dev.kata.probe.api.Reason;
import java.util.List;
import java.util.Map;

/**
 * Reports a {@code System.exit} from the learner's code. The JVM cannot refuse it any more (the
 * security manager is gone), but shutdown hooks still run, and the exiting thread is still
 * inside {@code Runtime.exit} when they do, so its line can be named.
 */
final class ExitGuard {
    private ExitGuard() {
    }

    static void install() {
        Thread hook = new Thread(ExitGuard::onExit, "kata-probe-exit-guard");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static void onExit() {
        if (Probe.finishing) {
            return;
        }
        TestRun run = Probe.current;
        String location = null;
        List<ThreadSnapshot> threads = List.of();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (callsExit(e.getValue())) {
                location = Probe.describer.location(e.getValue());
                threads = List.of(Probe.describer.describe(e.getKey()));
                break;
            }
        }
        String message = "your code called System.exit" + (location == null ? "" : " at " + location)
                + ", which ends the whole JVM: the program and every test with it. Return or throw instead.";
        Probe.events.write(Probe.fatalEvent(run, Reason.EXIT_CALLED, message, location, threads));
    }

    private static boolean callsExit(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if ((f.getClassName().equals("java.lang.Runtime") || f.getClassName().equals("java.lang.System"))
                    && f.getMethodName().equals("exit")) {
                return true;
            }
        }
        return false;
    }
}
