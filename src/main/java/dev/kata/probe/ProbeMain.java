package dev.kata.probe;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.files.OpenSiteRewriter;
import dev.kata.probe.noise.NoiseRewriter;
import dev.kata.probe.races.OpaqueTypes;
import dev.kata.probe.races.RaceRewriter;
import dev.kata.probe.time.TimeoutRewriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

/**
 * Entry point of the test JVM. Starts early, while the grader is still compiling, warms up the
 * JUnit launcher, then reads its orders from standard input (one {@code key=value} per line,
 * ended by {@code go}) and runs the hidden tests under the probe, reporting to the event log
 * named by the system property {@code kata.events}.
 */
public final class ProbeMain {
    private ProbeMain() {
    }

    /**
     * Starts the model checker's warm-up now (where the tests use it), for a spare JVM that warms
     * JUnit up first: the two then run side by side, and a check that takes the spare while it
     * still boots waits for the longer of them, not for both.
     */
    public static void startModelCheckerWarmUp() {
        ModelCheckerWarmUp.start();
    }

    public static void main(String[] args) throws Exception {
        Probe.events = new EventLog(Path.of(System.getProperty("kata.events")));
        Probe.defaultTimeoutMs = Long.getLong("kata.testTimeoutMs", 5000);
        Probe.maxThreads = Integer.getInteger("kata.maxThreads", 500);
        ModelCheckerWarmUp.start();
        Launcher launcher = ProbeLauncher.create();

        Map<String, String> orders = readOrders();
        ModelCheckerWarmUp.ordersIn();
        if (!orders.containsKey("go")) {
            Probe.finishing = true;
            System.exit(0);
        }
        Path classes = Path.of(orders.get("classes"));
        System.setProperty("kata.classes.dir", classes.toString());
        Set<String> learner = split(orders.get("learner"));
        List<String> tests = new ArrayList<>(split(orders.get("tests")));
        Set<String> skip = split(orders.get("skip"));
        Probe.stopAtFirstFailure = Boolean.parseBoolean(orders.get("stopAtFirstFailure"));
        Probe.describer = new ThreadDescriber(learner, new HashSet<>(tests));
        Probe.sources = new LearnerSources(split(orders.get("sources")).stream().map(Path::of).toList());
        Set<String> modelChecked = Boolean.getBoolean(ModelCheckerWarmUp.ENABLED) ? modelChecked(classes, tests) : Set.of();
        String handOff = modelChecked.isEmpty() ? null : ModelCheckerReach.firstHandOff(classes, learner);
        if (handOff != null) {
            Probe.notModelCheckedWhy = "your code hands work to a thread pool or a virtual thread (" + handOff
                    + "), where the model checker cannot follow it: the other tests judge it on real threads";
            Probe.notModelChecked = Set.copyOf(modelChecked);
        }
        ModelCheckerAgent.modelCheckedClasses(handOff == null ? modelChecked : Set.of());
        ClassLoader loader = learnerLoader(classes, learner, modelChecked, Boolean.parseBoolean(orders.get("trackFiles")),
                Boolean.getBoolean("kata.noise"), Boolean.getBoolean("kata.races"),
                Boolean.getBoolean("kata.shortTimeouts"));
        Thread.currentThread().setContextClassLoader(loader);
        List<DiscoverySelector> selectors = new ArrayList<>();
        tests.sort(null);
        for (String test : tests) {
            selectors.add(selectClass(Class.forName(test, false, loader)));
        }
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request();
        if (ModelCheckerWarmUp.lazy()) {
            Probe.checkerLast = Set.copyOf(modelChecked);
            builder.configurationParameter("junit.jupiter.testclass.order.default", CheckerLastOrder.class.getName());
        }
        LauncherDiscoveryRequest request = builder
                .selectors(selectors)
                .filters((PostDiscoveryFilter) d -> FilterResult.includedIf(!skip.contains(d.getUniqueId().toString())))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter("junit.jupiter.execution.timeout.mode", "disabled")
                .configurationParameter("junit.jupiter.testmethod.order.default",
                        "org.junit.jupiter.api.MethodOrderer$OrderAnnotation")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();

        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            TestRun run = Probe.current;
            if (run != null) {
                run.recordUncaught(t, e);
            }
        });
        ModelCheckerWarmUp.await();
        ExitGuard.install();
        Watchdog.start();
        launcher.execute(request, new ProbeListener(Probe.events, Probe.describer));

        Map<String, Object> done = Json.object();
        done.put("event", "done");
        Probe.events.write(done);
        Probe.finishing = true;
        System.out.flush();
        System.err.flush();
        System.exit(0);
    }

    private static Map<String, String> readOrders() throws IOException {
        Map<String, String> orders = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("go")) {
                orders.put("go", "");
                break;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                orders.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return orders;
    }

    /**
     * The loader of the kata's classes: learner classes are rewritten to report the files they open
     * ({@code trackFiles}, katas about leaked files) and to pause where races hide ({@code noise}:
     * a kata's {@code jvm_args} set {@code -Dkata.noise=true}), and to follow every access to the
     * learner's fields for data races ({@code races}: {@code -Dkata.races=true}), and to shorten
     * every time limit they hand to the JDK ({@code shortTimeouts}: {@code -Dkata.shortTimeouts=true}).
     * Where the model checker is on, its tests keep the classes as compiled, from the JVM's class path.
     */
    private static ClassLoader learnerLoader(Path classes, Set<String> learner, Set<String> modelChecked,
            boolean trackFiles, boolean noise, boolean races, boolean shortTimeouts) throws IOException {
        ClassLoader parent = ProbeMain.class.getClassLoader();
        URL classesUrl = classes.toUri().toURL();
        if (!trackFiles && !noise && !races && !shortTimeouts) {
            return new URLClassLoader(new URL[] {classesUrl}, parent);
        }
        UnaryOperator<byte[]> opens = trackFiles ? OpenSiteRewriter::rewrite : UnaryOperator.identity();
        UnaryOperator<byte[]> pauses = noise ? NoiseRewriter::rewrite : UnaryOperator.identity();
        UnaryOperator<byte[]> checks = races ? RaceRewriter.of(type -> classFile(classes, type),
                type -> learner.contains(ThreadDescriber.topLevel(type.replace('/', '.'))),
                OpaqueTypes.fromSystemProperty()) : UnaryOperator.identity();
        UnaryOperator<byte[]> shorter = shortTimeouts ? TimeoutRewriter::rewrite : UnaryOperator.identity();
        // Shortened last: the calls it puts in are no calls of the learner's for the other rewriters to follow.
        UnaryOperator<byte[]> rewrite = bytes -> shorter.apply(checks.apply(pauses.apply(opens.apply(bytes))));
        if (Boolean.getBoolean(ModelCheckerWarmUp.ENABLED)) {
            return LearnerClassLoader.rewriting(classesUrl, parent, learner, rewrite, modelChecked);
        }
        return LearnerClassLoader.rewriting(classesUrl, parent, learner, rewrite);
    }

    /** The test classes that use the model checker: their class file, or a nested one, names it. */
    private static Set<String> modelChecked(Path classes, List<String> tests) throws IOException {
        // By name: the class itself links against the checker, absent from other test JVMs.
        List<byte[]> marks = Stream.of(Interleavings.CHECKER_PACKAGE, Interleavings.NAME)
                .map(name -> name.replace('.', '/').getBytes(StandardCharsets.US_ASCII)).toList();
        Set<String> found = new HashSet<>();
        for (String test : tests) {
            Path file = classes.resolve(test.replace('.', '/') + ".class");
            String simple = file.getFileName().toString().replace(".class", "");
            try (var family = Files.newDirectoryStream(file.getParent(), simple + "{.class,$*.class}")) {
                for (Path member : family) {
                    byte[] bytes = Files.readAllBytes(member);
                    if (marks.stream().anyMatch(mark -> contains(bytes, mark))) {
                        found.add(test);
                        break;
                    }
                }
            }
        }
        return found;
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The class file of {@code type} (an internal name) in the compiled kata, or null. */
    private static byte[] classFile(Path classes, String type) {
        try {
            return Files.readAllBytes(classes.resolve(type + ".class"));
        } catch (IOException e) {
            return null;
        }
    }

    private static Set<String> split(String list) {
        if (list == null || list.isBlank()) {
            return new HashSet<>();
        }
        return new HashSet<>(Arrays.asList(list.split("\t")));
    }
}
