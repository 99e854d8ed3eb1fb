package dev.kata.probe.api;

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
        Lincheck.runConcurrentTestInternal$lincheck(invocations, SETTINGS, scenario);
    }
}
