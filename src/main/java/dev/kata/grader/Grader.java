package dev.kata.grader;

import dev.kata.TempFiles;
import dev.kata.catalog.Kata;
import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Grades one set of learner sources against a kata's hidden tests: compiles them in-process,
 * runs the tests in a forked JVM under the probe, and turns what happened into a {@link Verdict}.
 * Never writes into the learner's folder. A test that ends its JVM (timeout, deadlock, exit)
 * costs that JVM; the tests after it run in a fresh one while the check's time lasts.
 *
 * <p>A grader that is kept for many checks (the interactive session) can keep a <em>spare</em>
 * test JVM: right after a check, the next check's JVM is started and left waiting for its orders,
 * so the next check does not wait for a JVM to boot. Every check still runs in a JVM of its own
 * that ran nothing before, so nothing of one check's threads or state reaches the next. Close such
 * a grader to end its spare.
 */
public final class Grader implements AutoCloseable {
    private static final long POLL_MS = 15;
    /** How often the running test JVM's CPU time is read, for the check's limit. */
    private static final long CPU_READING_EVERY_NANOS = 250_000_000L;

    private final GraderSettings settings;
    /** Found once: its name stamps the jars this process runs from, which do not change under it. */
    private final ClassDataArchive archive;
    private final SourceCompiler compiler;
    private final boolean keepSpare;
    private Spare spare;
    private final java.util.concurrent.atomic.AtomicInteger sparesUsed = new java.util.concurrent.atomic.AtomicInteger();
    private boolean closed;
    /** The latest {@link #prepare}, which {@link #close} waits for: it writes into the cache folder. */
    private volatile Thread preparing;

    public Grader(GraderSettings settings) {
        this(settings, false);
    }

    /**
     * @param keepSpare whether to keep a test JVM started and waiting for the next check
     */
    public Grader(GraderSettings settings, boolean keepSpare) {
        this.settings = settings;
        this.archive = ClassDataArchive.in(settings.cacheDir());
        this.compiler = new SourceCompiler(settings.cacheDir() == null ? null : settings.cacheDir().resolve("tests"));
        this.keepSpare = keepSpare;
    }

    /** A test JVM started ahead of time for a check with this spec, and the folder it reports to. */
    private record Spare(TestJvmSpec spec, Path work, TestJvm jvm) {
        void discard() {
            jvm.close();
            TempFiles.deleteQuietly(work);
        }
    }

    public GraderSettings settings() {
        return settings;
    }

    /**
     * Checks the {@code .java} files in {@code sourceDir} (the learner's package folder, or a
     * kata's starter/solution/mutant folder) against {@code kata}'s hidden tests.
     *
     * @throws CheckCancelledException if the calling thread is interrupted (Ctrl-C in the shell);
     *                                 the test JVM is gone by then
     */
    public Verdict check(Kata kata, Path sourceDir, CheckListener listener) {
        return grade(kata, sourceDir, listener, specFor(kata), keepSpare, false);
    }

    /**
     * Checks as {@link #check} does, but skips the tests after the first failing one: for proving
     * that a wrong fix fails, where any failure will do and the rest would only cost time.
     */
    public Verdict checkUntilFirstFailure(Kata kata, Path sourceDir) {
        TestJvmSpec spec = specFor(kata);
        if (!spec.extraClassPath().isEmpty()) {
            // the tests without the model checker first, and the checker started only if one with it runs
            spec = spec.withJvmArg(ModelChecker.LAZY_FLAG);
        }
        return grade(kata, sourceDir, CheckListener.NONE, spec, keepSpare, true);
    }

    /**
     * Writes the test JVM's start-up archive if there is none yet for this JDK and class path
     * (see {@link ClassDataArchive}), by grading the solution of {@link #archiveTrainer}'s kata in
     * a JVM that records what it loads. Takes a few seconds the first time, nothing after; the
     * launcher calls it after each build, and {@code validate} before it starts.
     */
    public void trainArchive(List<Kata> katas) {
        Kata kata = archiveTrainer(katas).orElse(null);
        if (archive == null || archive.exists() || kata == null) {
            return;
        }
        Path pending = null;
        try {
            pending = archive.newPending();
            grade(kata, kata.solutionDir(), CheckListener.NONE, specFor(kata).writingArchive(pending), false, false);
        } catch (IOException | RuntimeException e) {
            // no archive: test JVMs start without one, a little slower
        } finally {
            if (pending != null) {
                archive.publish(pending);
            }
        }
    }

    /**
     * The kata whose solution trains the archive: the first whose test JVM has the lean class path
     * and no flags but system properties. A kata's own flags such as {@code --add-opens} would make
     * the archive unusable by every other test JVM (the JVM compares them), and the model checker's
     * agent crashes the JVM writing it; the model-checked test JVMs still use the archive for what
     * they load before the agent. System properties do not count: nearly every kata sets some.
     */
    static java.util.Optional<Kata> archiveTrainer(List<Kata> katas) {
        return katas.stream().filter(k -> k.jvmArgs().stream().allMatch(a -> a.startsWith("-D")) && !usesModelChecker(k))
                .findFirst();
    }

    private Verdict grade(Kata kata, Path sourceDir, CheckListener listener, TestJvmSpec spec, boolean startSpare,
            boolean stopAtFirstFailure) {
        long start = System.nanoTime();
        Path work = null;
        TestJvm jvm = null;
        try {
            Spare ready = spec.archiveOutput() == null ? takeSpare(spec) : null;
            if (ready != null) {
                work = ready.work();
                jvm = ready.jvm();
                sparesUsed.incrementAndGet();
            } else {
                work = TempFiles.newFolder("kata-check-");
                jvm = TestJvm.start(spec, work.resolve("events-0.jsonl"));
            }
            Path classes = Files.createDirectories(ModelChecker.classesDir(work));

            listener.phase("compiling");
            List<CompileDiagnostic> unfit = LearnerFiles.problems(kata, sourceDir);
            if (!unfit.isEmpty()) {
                jvm.abort();
                return compileFailure(kata, start, unfit.size() == 1 ? unfit.get(0).message()
                        : "your files cannot be compiled as they are (" + unfit.size() + " problems)", unfit);
            }
            List<Path> learnerFiles = kata.sourcesToCompile(sourceDir);
            if (learnerFiles.isEmpty()) {
                jvm.abort();
                return compileFailure(kata, start, "no .java files in " + sourceDir, List.of());
            }
            CompileOutcome compiled = compiler.compile(learnerFiles, javaFiles(kata.testsDir()), spec.extraClassPath(),
                    classes);
            if (!compiled.learnerErrors().isEmpty()) {
                jvm.abort();
                int n = compiled.learnerErrors().size();
                return new Verdict(kata.id(), Status.FAIL, Reason.COMPILE_ERROR,
                        n == 1 ? "your code does not compile" : "your code does not compile (" + n + " errors)",
                        compiled.learnerErrors(), List.of(), "", millisSince(start));
            }
            if (!compiled.apiProblems().isEmpty()) {
                jvm.abort();
                return new Verdict(kata.id(), Status.FAIL, Reason.API_MISMATCH,
                        String.join("; ", compiled.apiProblems()), List.of(), List.of(), "", millisSince(start));
            }

            listener.phase("testing");
            TestLedger ledger = new TestLedger();
            StringBuilder output = new StringBuilder();
            // The limit is for running the tests: compiling is bounded by itself, and slow only on a busy machine.
            CheckLimit limit = new CheckLimit(Duration.ofMillis(checkLimitMillis(kata, spec)));
            int run = 0;
            int stalls = 0;
            CheckLimit.Call timedOut = CheckLimit.Call.WITHIN;
            while (true) {
                if (jvm == null) {
                    jvm = TestJvm.start(spec, work.resolve("events-" + run + ".jsonl"));
                }
                int doneBefore = ledger.done().size();
                jvm.go(orders(classes, learnerFiles, compiled, ledger, stopAtFirstFailure,
                        kata.pitfall() == Reason.RESOURCE_LEAK));
                RunEnd end = await(jvm, new EventReader(work.resolve("events-" + run + ".jsonl")), ledger, listener,
                        limit);
                limit.jvmEnded();
                jvm.close();
                output.append(jvm.output().text());
                jvm = null;
                run++;
                if (end == RunEnd.CHECK_TIMEOUT || end == RunEnd.CHECK_INCONCLUSIVE) {
                    timedOut = end == RunEnd.CHECK_TIMEOUT ? CheckLimit.Call.OVER : CheckLimit.Call.CANNOT_TELL;
                    break;
                }
                // A JVM that died before finishing any test gets one more try, then the rest are not run.
                stalls = ledger.done().size() > doneBefore ? 0 : stalls + 1;
                if (end == RunEnd.DONE || ledger.complete() || !ledger.planned() || stalls > 1
                        || run > settings.maxRestarts()) {
                    break;
                }
            }
            return assemble(kata, ledger, output.toString(), timedOut, limit, stopAtFirstFailure, start);
        } catch (TempFiles.Stopping e) {
            throw new CheckCancelledException();
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the check: " + e.getMessage(), e);
        } finally {
            if (jvm != null) {
                jvm.close();
            }
            TempFiles.deleteQuietly(work);
            if (startSpare && !Thread.currentThread().isInterrupted()) {
                // Off the check's path: the verdict goes back while the next JVM starts.
                Thread.ofVirtual().name("kata-spare-jvm").start(() -> prepareSpare(specFor(kata)));
            }
        }
    }

    /** The spare JVM if it suits this check and is still waiting; a spare that does not is ended. */
    private synchronized Spare takeSpare(TestJvmSpec spec) {
        Spare ready = spare;
        spare = null;
        if (ready != null && (!ready.spec().equals(spec) || !ready.jvm().isAlive())) {
            ready.discard();
            ready = null;
        }
        return ready;
    }

    /** Starts the next check's JVM now, so that it has booted by the time the learner saves again. */
    private void prepareSpare(TestJvmSpec spec) {
        Path work = null;
        try {
            work = TempFiles.newFolder("kata-check-");
            TestJvm jvm = TestJvm.startSpare(spec, work.resolve("events-0.jsonl"));
            Spare old;
            synchronized (this) {
                if (closed) {
                    new Spare(spec, work, jvm).discard();
                    return;
                }
                old = spare;
                spare = new Spare(spec, work, jvm);
            }
            if (old != null) {
                old.discard();
            }
        } catch (IOException | UncheckedIOException e) {
            TempFiles.deleteQuietly(work);
            // no spare this time: the next check starts its own JVM
        }
    }

    /**
     * Gets ready for checks of {@code kata} while the learner reads its story: starts a spare test
     * JVM for it (a grader that keeps spares) and compiles the kata's starter with its hidden tests
     * once, into a folder that is then deleted, so that the first save does not wait for javac to
     * warm up. Runs in the background; returns at once.
     */
    public void prepare(Kata kata) {
        TestJvmSpec spec = specFor(kata);
        preparing = Thread.ofVirtual().name("kata-prepare").start(() -> {
            boolean ready;
            synchronized (this) {
                ready = spare != null && spare.spec().equals(spec) && spare.jvm().isAlive();
            }
            if (keepSpare && !ready) {
                prepareSpare(spec);
            }
            Path out = null;
            try {
                out = TempFiles.newFolder("kata-warm-");
                compiler.compile(kata.sourcesToCompile(kata.starterDir()), javaFiles(kata.testsDir()), spec.extraClassPath(),
                        out);
            } catch (IOException | RuntimeException e) {
                // only a head start
            } finally {
                TempFiles.deleteQuietly(out);
            }
        });
    }

    /** How many checks ran in a spare JVM (for tests). */
    int sparesUsed() {
        return sparesUsed.get();
    }

    /** Whether a spare test JVM is started and waiting (for tests and the session's status). */
    public synchronized boolean hasSpare() {
        return spare != null && spare.jvm().isAlive();
    }

    /**
     * Ends the spare test JVM, if any, after waiting (a while at most) for a {@link #prepare} still
     * compiling, so that nothing is written into the cache folder after this; checks after this
     * start their own JVM again.
     */
    @Override
    public void close() {
        Thread compiling = preparing;
        if (compiling != null) {
            try {
                compiling.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Spare old;
        synchronized (this) {
            closed = true;
            old = spare;
            spare = null;
        }
        if (old != null) {
            old.discard();
        }
    }

    private enum RunEnd { DONE, DIED, CHECK_TIMEOUT, CHECK_INCONCLUSIVE }

    private RunEnd await(TestJvm jvm, EventReader events, TestLedger ledger, CheckListener listener, CheckLimit limit) {
        long floodLimit = 16L * settings.outputCapBytes();
        boolean sawDone = false;
        long nextCpuReading = 0;
        try {
            while (true) {
                boolean exited = jvm.waitFor(POLL_MS);
                if (!exited && System.nanoTime() >= nextCpuReading) {
                    limit.sawCpu(jvm.cpuMillis());
                    nextCpuReading = System.nanoTime() + CPU_READING_EVERY_NANOS;
                }
                for (ProbeEvent e : events.poll()) {
                    ledger.accept(e, listener);
                    sawDone |= e.type().equals("done");
                }
                if (exited) {
                    jvm.output().awaitEnd();
                    for (ProbeEvent e : events.poll()) {
                        ledger.accept(e, listener);
                        sawDone |= e.type().equals("done");
                    }
                    if (sawDone) {
                        return RunEnd.DONE;
                    }
                    if (ledger.running() != null) {
                        JvmDeath death = JvmDeath.of(jvm.exitCode(), jvm.output().tailText());
                        ledger.endRunning(death.status(), death.reason(), death.message(), listener);
                    }
                    return RunEnd.DIED;
                }
                if (jvm.output().total() > floodLimit) {
                    jvm.kill();
                    ledger.failRunning(Reason.OUTPUT_FLOOD, "your code printed more than " + floodLimit / 1024
                            + " KB; the test JVM was stopped. Remove the printing from loops.", listener);
                    return RunEnd.DIED;
                }
                CheckLimit.Call call = limit.elapsedMs() > limit.limitSeconds() * 1000 ? limit.judge() : CheckLimit.Call.WITHIN;
                if (call != CheckLimit.Call.WITHIN) {
                    limit.sawCpu(jvm.cpuMillis());
                    String given = limit.given();
                    jvm.kill();
                    if (call == CheckLimit.Call.OVER) {
                        ledger.failRunning(Reason.CHECK_TIMEOUT, "the check ran out of time (limit " + limit.limitSeconds()
                                + " s) during this test: " + given, listener);
                        return RunEnd.CHECK_TIMEOUT;
                    }
                    ledger.endRunning(Status.INCONCLUSIVE, Reason.CHECK_TIMEOUT, "the check ran out of time during this"
                            + " test, on a machine too busy to tell whether your code is slow: " + given
                            + ". The limit is " + limit.limitSeconds() + " s, and was stretched to "
                            + CheckLimit.STRETCH * limit.limitSeconds() + " s for the load. Run the check again when"
                            + " the machine is less busy.", listener);
                    return RunEnd.CHECK_INCONCLUSIVE;
                }
            }
        } catch (InterruptedException e) {
            jvm.kill();
            Thread.currentThread().interrupt();
            throw new CheckCancelledException();
        }
    }

    private static Map<String, String> orders(Path classes, List<Path> learnerFiles, CompileOutcome compiled,
            TestLedger ledger, boolean stopAtFirstFailure, boolean trackFiles) {
        Map<String, String> orders = new LinkedHashMap<>();
        orders.put("classes", classes.toString());
        // read by the probe only to name what a report shows (a lock by its object, see probe.LockNames)
        orders.put("sources", String.join("\t", learnerFiles.stream().map(p -> p.toAbsolutePath().toString()).toList()));
        orders.put("learner", String.join("\t", compiled.learnerClasses()));
        orders.put("tests", String.join("\t", compiled.testClasses()));
        orders.put("skip", String.join("\t", ledger.done()));
        orders.put("stopAtFirstFailure", String.valueOf(stopAtFirstFailure));
        orders.put("trackFiles", String.valueOf(trackFiles)); // where the learner's code opens files (probe.files), for katas about leaked files
        return orders;
    }

    private Verdict assemble(Kata kata, TestLedger ledger, String output, CheckLimit.Call timedOut, CheckLimit limit,
            boolean stopAtFirstFailure, long start) {
        boolean outOfTime = timedOut != CheckLimit.Call.WITHIN;
        List<TestResult> tests = ledger.results(outOfTime
                ? "not run: the check ran out of time (limit " + limit.limitSeconds() + " s)"
                : stopAtFirstFailure ? "not run: the check stops at the first failure"
                        : "not run: an earlier test ended the test JVM (see above)");
        TestResult orphan = ledger.orphanFailure();
        if (tests.isEmpty()) {
            TestResult cause = orphan != null ? orphan
                    : outOfTime ? new TestResult("", "test JVM",
                            timedOut == CheckLimit.Call.CANNOT_TELL ? Status.INCONCLUSIVE : Status.FAIL,
                            Reason.CHECK_TIMEOUT, "the test JVM did not get to the first test within "
                                    + limit.limitSeconds() + " s: " + limit.given(), null, List.of(), 0)
                    : new TestResult("", "test JVM", Status.FAIL, Reason.CRASH,
                            "the test JVM ended before running any test", null, List.of(), 0);
            return new Verdict(kata.id(), cause.status(), cause.reason(), cause.message(), List.of(), List.of(cause),
                    output, millisSince(start));
        }
        TestResult deciding = VerdictReasons.deciding(tests);
        TestResult unsure = VerdictReasons.inconclusive(tests);
        if (unsure == null && timedOut == CheckLimit.Call.CANNOT_TELL && deciding != null
                && deciding.reason() == Reason.NOT_RUN) {
            // out of time between two tests, on a saturated machine: nothing failed
            deciding = null;
            unsure = new TestResult("", "test JVM", Status.INCONCLUSIVE, Reason.CHECK_TIMEOUT,
                    "the check ran out of time on a machine too busy to tell whether your code is slow: "
                            + limit.given(), null, List.of(), 0);
        }
        if (deciding == null && unsure != null) {
            return new Verdict(kata.id(), Status.INCONCLUSIVE, unsure.reason(),
                    unsure.name() + ": " + firstLine(unsure.message()), List.of(), tests, output, millisSince(start));
        }
        if (deciding == null) {
            long ran = tests.stream().filter(TestResult::passed).count();
            String summary = ran == tests.size() ? (ran == 1 ? "the test passes" : "all " + ran + " tests pass")
                    : "the " + ran + " tests that ran pass (" + (tests.size() - ran) + " not run: "
                            + tests.stream().filter(t -> !t.passed()).findFirst().map(TestResult::message).orElse("")
                            + ")";
            return new Verdict(kata.id(), Status.PASS, null, summary, List.of(), tests, output, millisSince(start));
        }
        long failed = tests.stream().filter(t -> t.status() == Status.FAIL).count();
        String summary = deciding.name() + ": " + firstLine(deciding.message())
                + (failed > 1 ? " (" + failed + " of " + tests.size() + " tests fail)" : "");
        return new Verdict(kata.id(), Status.FAIL, deciding.reason(), summary, List.of(), tests, output,
                millisSince(start));
    }

    /**
     * The test JVM for {@code kata}. Katas whose hidden tests use the model checker get its jars
     * and flags; the others keep the lean class path.
     */
    private TestJvmSpec specFor(Kata kata) {
        List<String> jvmArgs = kata.jvmArgs();
        List<Path> extraClassPath = List.of();
        if (usesModelChecker(kata)) {
            extraClassPath = ModelChecker.jars();
            jvmArgs = Stream.concat(ModelChecker.jvmFlags().stream(), jvmArgs.stream()).toList();
        }
        return new TestJvmSpec(settings.heapMb(), settings.maxThreads(), settings.outputCapBytes(),
                kata.testTimeout().toMillis(), jvmArgs, extraClassPath, archive, null);
    }

    private static boolean usesModelChecker(Kata kata) {
        try {
            return ModelChecker.usedBy(javaFiles(kata.testsDir()));
        } catch (IOException e) {
            return false;
        }
    }

    /** The time the tests of one check may take: model-checked tests have a budget of their own on top. */
    private static long checkLimitMillis(Kata kata, TestJvmSpec spec) {
        return kata.checkTimeout().toMillis() + (spec.extraClassPath().isEmpty() ? 0 : ModelChecker.EXTRA_CHECK_MILLIS);
    }

    private static Verdict compileFailure(Kata kata, long start, String summary, List<CompileDiagnostic> diagnostics) {
        return new Verdict(kata.id(), Status.FAIL, Reason.COMPILE_ERROR, summary, diagnostics, List.of(), "",
                millisSince(start));
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p))
                    .sorted().toList());
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
