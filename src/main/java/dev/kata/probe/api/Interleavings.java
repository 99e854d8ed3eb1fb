package dev.kata.probe.api;

import dev.kata.probe.ModelCheckedFailure;
import org.jetbrains.lincheck.Lincheck;
import org.jetbrains.lincheck.LincheckSettings;

/**
 * The model checker, as hidden tests call it: JetBrains Lincheck's {@code runConcurrentTest}, with
 * a loop bound that the JDK's own collections stay under. Lincheck takes a loop that runs more
 * than its default bound of 50 iterations, with no other thread able to move, for a hang; a
 * {@code ConcurrentHashMap} that grows from 16 bins loops 51 times moving them, so a correct fix
 * built on one would be told it deadlocks. Use this, not {@code Lincheck.runConcurrentTest}.
 */
public final class Interleavings {
    /**
     * This class's name, and the checker's package, for code that must not load either (this class
     * links against the checker, which is only on the class path of katas that use it). Constants:
     * the compiler copies them into the code that names them.
     */
    public static final String NAME = "dev.kata.probe.api.Interleavings";
    public static final String CHECKER_PACKAGE = "org.jetbrains.lincheck";
    /** Far above the JDK's loops over the small maps and lists of a scenario; a real spin still ends. */
    static final int LOOP_BOUND = 300;
    private static final LincheckSettings SETTINGS = new LincheckSettings(true, 10, LOOP_BOUND, 20);

    private Interleavings() {
    }

    /**
     * Runs {@code scenario} under the model checker {@code invocations} times, each time with
     * another interleaving of the threads it starts; throws the checker's error, with the
     * interleaving that broke it, if one of them throws or hangs.
     */
    public static void check(int invocations, Runnable scenario) {
        try {
            Lincheck.runConcurrentTestInternal$lincheck(invocations, SETTINGS, scenario);
        } catch (RuntimeException | Error e) {
            String limit = checkerLimit(e);
            if (limit == null) {
                throw e;
            }
            int runs = runOnRealThreads(scenario);
            throw new NotModelChecked("the model checker cannot follow your code (" + limit + "); this scenario"
                    + " ran " + runs + " times on real threads instead and passed, and the other tests judge it too");
        }
    }

    /** How often, and for how long at most (past the first 20 runs), a scenario runs when it cannot be model-checked. */
    private static final int PLAIN_RUNS = 1_000;
    private static final long PLAIN_NANOS = 1_500_000_000L;

    /** Runs the scenario plainly, on real threads, over and over; throws its first failure. */
    private static int runOnRealThreads(Runnable scenario) {
        long end = System.nanoTime() + PLAIN_NANOS;
        int runs = 0;
        while (runs < PLAIN_RUNS && (runs < 20 || System.nanoTime() < end)) {
            scenario.run();
            runs++;
        }
        return runs;
    }

    /**
     * What the checker could not follow, as "Unsupported VarHandle type: ... at FrameIngest.java:94",
     * when {@code e} is the checker's own error rather than a failure it found (those come as its
     * assertion error); null otherwise.
     */
    static String checkerLimit(Throwable error) {
        // the checker's own error reaches the scenario's thread, and comes back as the failure it led to
        Throwable e = ModelCheckedFailure.is(error) ? ModelCheckedFailure.causeOf(error) : error;
        StackTraceElement[] stack = e == null ? new StackTraceElement[0] : e.getStackTrace();
        if (stack.length == 0 || !inChecker(stack[0].getClassName())) {
            return null;
        }
        for (StackTraceElement f : stack) {
            if (!inChecker(f.getClassName()) && f.getFileName() != null && f.getLineNumber() > 0) {
                return e.getMessage() + " at " + f.getFileName() + ":" + f.getLineNumber();
            }
        }
        return String.valueOf(e.getMessage());
    }

    private static boolean inChecker(String className) {
        return className.startsWith("org.jetbrains.lincheck.") || className.startsWith("org.jetbrains.kotlinx.lincheck.")
                || className.startsWith("sun.nio.ch.lincheck.");
    }
}
