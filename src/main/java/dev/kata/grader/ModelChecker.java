package dev.kata.grader;

import dev.kata.probe.api.Interleavings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The model checker hidden tests may use (JetBrains Lincheck): which katas use it, where its jars
 * are and the JVM flags it needs. Its 15 MB of jars (Kotlin's library, Byte Buddy) are only on the
 * class path of katas whose tests import it; the others keep the lean class path and its start-up
 * archive. The jars live in {@code lib/lincheck/} beside the tutor's jar ({@code target/lib/lincheck}
 * in a build), never on the tutor's own class path.
 */
final class ModelChecker {
    /** What a hidden test must mention to be given the model checker. */
    static final String PACKAGE = Interleavings.CHECKER_PACKAGE;
    /** The probe's entry to it, which hidden tests call. */
    static final String ENTRY = Interleavings.NAME;
    /**
     * Time a check of a kata that uses it gets on top of the kata's own limit: the first test that
     * touches java.util.concurrent pays about a second of instrumentation, and a correct solution
     * is explored through every one of its invocations (seconds on a loaded machine).
     */
    static final long EXTRA_CHECK_MILLIS = 60_000;

    /**
     * For a check that stops at the first failure (a wrong fix being proven wrong): the tests
     * without the checker run first, and the checker is only started for the first test that uses
     * it. A wrong fix that fails a plain test then costs no more than in a lean test JVM (a model-
     * checked JVM spends about 3 s of CPU on starting the checker). Read by probe.ModelCheckerWarmUp.
     */
    static final String LAZY_FLAG = "-Dkata.modelChecker.lazy=true";

    /**
     * The JDK packages whose classes' fields it reads, a JDK lambda's captured arguments among them
     * (a Comparator.comparing(...) of the learner's, say); a package it may not open throws
     * InaccessibleObjectException into the learner's thread, as if the learner's code had thrown
     * it. Every test JVM opens them (see {@link TestJvm}), not only the model checker's: the JVM
     * uses a start-up archive only under the same {@code --add-opens} it was written with.
     */
    static final List<String> OPENED_PACKAGES = List.of("java.lang", "java.util", "java.util.function",
            "java.util.stream", "java.util.concurrent", "java.util.concurrent.atomic");

    private static volatile List<Path> jars;

    private ModelChecker() {
    }

    /** Whether any of the hidden tests names the model checker. */
    static boolean usedBy(List<Path> testFiles) {
        for (Path file : testFiles) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                if (text.contains(PACKAGE) || text.contains(ENTRY)) {
                    return true;
                }
            } catch (IOException | UncheckedIOException e) {
                // an unreadable test fails to compile later, with a clearer message
            }
        }
        return false;
    }

    /**
     * The folder the check's compiled classes go to, which must be on the test JVM's class path
     * itself: the model checker loads the test's classes by name through the application class
     * loader, not through the probe's loader of the compiled classes.
     */
    static Path classesDir(Path work) {
        return work.resolve("classes");
    }

    /** The model checker's jars, in a stable order; empty if this install has none. */
    static List<Path> jars() {
        List<Path> found = jars;
        if (found == null) {
            found = list(ProbeClassPath.home().resolve("lib").resolve("lincheck"));
            jars = found;
        }
        return found;
    }

    /**
     * It attaches its instrumenting agent to the running JVM and reads memory through
     * sun.misc.Unsafe: both are allowed, and the JDK's warnings about them silenced, since they
     * would end up in the learner's output.
     */
    static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>();
        flags.add("-XX:+EnableDynamicAgentLoading");
        // Lets it attach to its own JVM directly instead of through a helper process it would
        // start for that (about 0.1 s of a cold check, measured).
        flags.add("-Djdk.attach.allowAttachSelf=true");
        if (Runtime.version().feature() >= 23) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        // The agent appends to the boot class path, which makes the JVM warn that class sharing
        // now covers the boot loader's classes only; that warning goes through no log tag.
        flags.add("-XX:-PrintWarnings");
        flags.add("-D" + "kata.modelChecker" + "=true");
        String batches = System.getProperty("kata.warmUpBatches"); // for scripts/bench-session's comparisons
        if (batches != null) {
            flags.add("-Dkata.warmUpBatches=" + batches);
        }
        // Its warnings about fields it cannot track (a record's, a lambda's) would reach the learner's output,
        // and so would its errors about code it cannot follow, which Interleavings reports in its own words.
        flags.add("-Dlincheck.logLevel=OFF");
        return flags;
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
