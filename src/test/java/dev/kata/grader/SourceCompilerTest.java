package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiler keeps javac's symbol tables between compilations (Maven's test JVM gets the same
 * export as the launcher). Each compilation must still see only its own sources: the same class
 * compiled right, wrong, with another API and right again gets each outcome afresh.
 */
class SourceCompilerTest {
    private static final Path TESTS = Fixtures.ROOT.resolve("hostile/tests");

    @TempDir
    Path out;

    @Test
    void reusesJavacsSymbolTablesWhenTheJdkAllowsIt() {
        assertTrue(CompilerTasks.of(javax.tools.ToolProvider.getSystemJavaCompiler(), 1).pooled(),
                "the test JVM should run with --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED");
    }

    @Test
    void eachCompilationSeesOnlyItsOwnSources() throws IOException {
        SourceCompiler compiler = new SourceCompiler();
        for (int round = 0; round < 2; round++) {
            Fixtures.assertCompiledClean(compile(compiler, "pass"));
            CompileOutcome broken = compile(compiler, "compile-error");
            assertEquals(1, broken.learnerErrors().size(), broken::toString);
            assertTrue(broken.learnerErrors().get(0).file().endsWith("Target.java"), broken::toString);
            CompileOutcome otherApi = compile(compiler, "api-mismatch");
            assertEquals(List.of(), otherApi.learnerErrors(), otherApi::toString);
            assertEquals(1, otherApi.apiProblems().size(), otherApi::toString);
            assertTrue(otherApi.apiProblems().get(0).contains("answer"), otherApi::toString);
        }
        Fixtures.assertCompiledClean(compile(compiler, "pass"));
    }

    @Test
    void compilesOnSeveralThreadsAtOnce() throws Exception {
        SourceCompiler compiler = new SourceCompiler();
        List<String> variants = List.of("pass", "compile-error", "api-mismatch", "wrong-answer");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<CompileOutcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String variant = variants.get(i % variants.size());
                outcomes.add(pool.submit(() -> compile(compiler, variant)));
            }
            for (int i = 0; i < outcomes.size(); i++) {
                CompileOutcome o = outcomes.get(i).get();
                switch (variants.get(i % variants.size())) {
                    case "compile-error" -> assertEquals(1, o.learnerErrors().size(), o::toString);
                    case "api-mismatch" -> assertEquals(1, o.apiProblems().size(), o::toString);
                    default -> Fixtures.assertCompiledClean(o);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private CompileOutcome compile(SourceCompiler compiler, String variant) throws IOException {
        Path classes = Files.createTempDirectory(out, variant);
        return compiler.compile(Fixtures.javaFiles(Fixtures.variant(variant)), Fixtures.javaFiles(TESTS), classes);
    }
}
