package dev.kata.grader;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles the learner's files together with the hidden tests, in this JVM (no javac process),
 * and sorts the errors: the learner's own mistakes are shown like javac shows them; errors the
 * hidden tests hit mean the learner changed the API the tests need.
 */
final class SourceCompiler {
    private static final int MAX_IDLE = 4;
    private static final int POOLED_COMPILERS = 8;

    private static final List<String> OPTIONS = List.of("-g", "-proc:none", "-implicit:none", "-nowarn",
            "-Xlint:none", "-encoding", "UTF-8", "-Xmaxerrs", "50");

    private final CompiledTests kept;
    private final AtomicInteger keptTestsUsed = new AtomicInteger();
    private final JavaCompiler javac;
    private final CompilerTasks tasks;
    /** Idle file managers, by class path: a kata that uses the model checker compiles against its jars too. */
    private final Map<List<Path>, java.util.concurrent.ConcurrentLinkedQueue<StandardJavaFileManager>> idle =
            new java.util.concurrent.ConcurrentHashMap<>();

    SourceCompiler() {
        this(null);
    }

    /** @param keptTests where compiled hidden tests are kept between checks (null: nowhere, compiled every time) */
    SourceCompiler(Path keptTests) {
        this.kept = keptTests == null ? null : new CompiledTests(keptTests);
        this.javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("this Java runtime has no compiler: kata needs a JDK 21+, not a JRE");
        }
        this.tasks = CompilerTasks.of(javac, POOLED_COMPILERS);
    }

    CompileOutcome compile(List<Path> learnerFiles, List<Path> testFiles, Path outDir) throws IOException {
        return compile(learnerFiles, testFiles, List.of(), outDir);
    }

    /** As above, with {@code extraClassPath} after the probe's class path (the model checker's jars). */
    CompileOutcome compile(List<Path> learnerFiles, List<Path> testFiles, List<Path> extraClassPath, Path outDir)
            throws IOException {
        List<Path> classPath = new ArrayList<>(ProbeClassPath.entries());
        classPath.addAll(extraClassPath);
        String key = kept == null ? null : CompiledTests.key(learnerFiles, testFiles, classPath, OPTIONS);
        if (key != null && kept.has(key)) {
            // The learner's files alone; any doubt (an error, another surface) and everything is compiled together.
            Compilation alone = run(learnerFiles, List.of(), classPath, outDir);
            if (alone.errors().isEmpty()) {
                Set<String> learnerClasses = alone.classes(learnerFiles);
                List<String> testClasses = kept.reuse(key, ApiSurface.of(outDir, alone.origin().keySet()), outDir);
                if (testClasses != null) {
                    keptTestsUsed.incrementAndGet();
                    return new CompileOutcome(List.of(), List.of(), learnerClasses, new TreeSet<>(testClasses));
                }
            }
        }
        Compilation all = run(learnerFiles, testFiles, classPath, outDir);
        Set<Path> learner = normalized(learnerFiles);
        List<CompileDiagnostic> learnerErrors = new ArrayList<>();
        List<Diagnostic<? extends JavaFileObject>> testErrors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : all.errors()) {
            Path source = d.getSource() == null ? null : Path.of(d.getSource().toUri()).toAbsolutePath().normalize();
            if (source != null && learner.contains(source)) {
                learnerErrors.add(new CompileDiagnostic(source.toString(), d.getLineNumber(), d.getColumnNumber(),
                        d.getMessage(Locale.ROOT), sourceLine(source, d.getLineNumber())));
            } else {
                testErrors.add(d);
            }
        }
        Set<String> learnerClasses = all.classes(learnerFiles);
        Set<String> testClasses = new TreeSet<>();
        List<String> testClassFiles = new ArrayList<>();
        for (Map.Entry<String, Path> e : all.origin().entrySet()) {
            if (!learner.contains(e.getValue())) {
                testClasses.add(topLevel(e.getKey()));
                testClassFiles.add(e.getKey());
            }
        }
        List<String> apiProblems = learnerErrors.isEmpty() ? ApiMismatch.explain(testErrors) : List.of();
        CompileOutcome outcome = new CompileOutcome(learnerErrors, apiProblems, learnerClasses, testClasses);
        if (key != null && outcome.ok() && testErrors.isEmpty()) {
            List<String> learnerClassFiles = all.origin().entrySet().stream()
                    .filter(e -> learner.contains(e.getValue())).map(Map.Entry::getKey).toList();
            kept.store(key, ApiSurface.of(outDir, learnerClassFiles), testClassFiles, testClasses, outDir);
        }
        return outcome;
    }

    /** How many compilations took the hidden tests as kept, instead of compiling them. */
    int keptTestsUsed() {
        return keptTestsUsed.get();
    }

    /** One run of the compiler: its errors, and for every class file it wrote, the source it came from. */
    private record Compilation(List<Diagnostic<? extends JavaFileObject>> errors, Map<String, Path> origin) {
        /** The top-level classes compiled from these files. */
        Set<String> classes(List<Path> files) {
            Set<Path> from = normalized(files);
            Set<String> out = new TreeSet<>();
            origin.forEach((name, source) -> {
                if (from.contains(source)) {
                    out.add(topLevel(name));
                }
            });
            return out;
        }
    }

    private Compilation run(List<Path> learnerFiles, List<Path> testFiles, List<Path> classPath, Path outDir)
            throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = fileManager(List.copyOf(classPath));
        standard.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(outDir));
        Map<String, Path> origin = new HashMap<>();
        try {
            var files = new OriginRecorder(standard, origin);
            List<Path> all = new ArrayList<>(learnerFiles);
            all.addAll(testFiles);
            Iterable<? extends JavaFileObject> units = standard.getJavaFileObjectsFromPaths(all);
            if (!tasks.compile(new StringWriter(), files, diagnostics, OPTIONS, units, false) && tasks.pooled()) {
                // Errors are confirmed by a compiler that kept nothing from earlier checks, so that a
                // symbol table spoilt by an earlier compilation can never fail the learner.
                diagnostics = new DiagnosticCollector<>();
                origin.clear();
                tasks.compile(new StringWriter(), files, diagnostics, OPTIONS, units, true);
            }
        } finally {
            release(standard, List.copyOf(classPath));
        }
        List<Diagnostic<? extends JavaFileObject>> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
        return new Compilation(errors, Map.copyOf(origin));
    }

    private static Set<Path> normalized(List<Path> files) {
        Set<Path> out = new LinkedHashSet<>();
        for (Path p : files) {
            out.add(p.toAbsolutePath().normalize());
        }
        return out;
    }

    private static String topLevel(String className) {
        int nested = className.indexOf('$');
        return nested < 0 ? className : className.substring(0, nested);
    }

    /**
     * A file manager with the class path set. They are kept between compilations (one per thread
     * compiling at a time), so that the jars of the class path are opened and indexed once, not on
     * every check. Each compilation starts with {@link StandardJavaFileManager#flush()}, which drops
     * cached file contents, so a file saved twice within its clock's resolution is still read anew.
     */
    private StandardJavaFileManager fileManager(List<Path> classPath) throws IOException {
        var queue = idle.get(classPath);
        StandardJavaFileManager manager = queue == null ? null : queue.poll();
        if (manager == null) {
            manager = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
            manager.setLocationFromPaths(StandardLocation.CLASS_PATH, classPath);
        } else {
            manager.flush();
        }
        return manager;
    }

    private void release(StandardJavaFileManager manager, List<Path> classPath) {
        // A pooled compiler's symbols may still read class files through the manager that first
        // listed their package, so with the pool no manager is ever closed (there are as many as
        // compilations ever ran at once).
        var queue = idle.computeIfAbsent(classPath, k -> new java.util.concurrent.ConcurrentLinkedQueue<>());
        if (tasks.pooled() || queue.size() < MAX_IDLE) {
            queue.add(manager);
        } else {
            try {
                manager.close();
            } catch (IOException e) {
                // nothing held that matters
            }
        }
    }

    private static String sourceLine(Path file, long line) {
        if (line < 1) {
            return null;
        }
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.skip(line - 1).findFirst().orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /** Notes, for every class file written, the source file it came from. */
    private static final class OriginRecorder extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Map<String, Path> origin;

        OriginRecorder(StandardJavaFileManager delegate, Map<String, Path> origin) {
            super(delegate);
            this.origin = origin;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                FileObject sibling) throws IOException {
            if (sibling != null && kind == JavaFileObject.Kind.CLASS) {
                origin.put(className, Path.of(sibling.toUri()).toAbsolutePath().normalize());
            }
            return super.getJavaFileForOutput(location, className, kind, sibling);
        }
    }
}
