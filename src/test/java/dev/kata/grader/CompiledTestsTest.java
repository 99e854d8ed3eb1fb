package dev.kata.grader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hidden tests compiled once are taken again only by learner code that shows them the same API;
 * any other change, or a damaged copy, means compiling them again, with the outcome a compiler
 * that kept nothing would give.
 */
class CompiledTestsTest {
    private static final Path TESTS = Fixtures.ROOT.resolve("hostile/tests");

    @TempDir
    Path temp;

    @Test
    void codeWithTheSameApiTakesTheKeptTestsAndOtherCodeCompilesThemAgain() throws IOException {
        SourceCompiler compiler = new SourceCompiler(temp.resolve("kept"));

        Fixtures.assertCompiledClean(compile(compiler, target("return 42;", "")));
        assertEquals(0, compiler.keptTestsUsed(), "nothing was kept before the first compilation");

        CompileOutcome otherBody = compile(compiler, target("return 41;", "private static int helper() { return 1; }"));
        Fixtures.assertCompiledClean(otherBody);
        assertEquals(1, compiler.keptTestsUsed(), "another body and a private helper: the same API");

        Fixtures.assertCompiledClean(compile(compiler, target("return 42;", "public static int helper() { return 1; }")));
        Fixtures.assertCompiledClean(compile(compiler, target("return 42;", "public static final int ANSWER = 42;")));
        Fixtures.assertCompiledClean(compile(compiler, target("return 42;", "static final int ANSWER = 41;")));
        assertEquals(1, compiler.keptTestsUsed(), "a visible method or a constant more: the tests are compiled again");

        CompileOutcome broken = compile(compiler, target("return 42", ""));
        assertEquals(1, broken.learnerErrors().size(), broken::toString);
        CompileOutcome otherApi = compile(compiler, """
                package hostile;

                public class Target {
                    public static int reply() {
                        return 42;
                    }
                }
                """);
        assertEquals(List.of(), otherApi.learnerErrors(), otherApi::toString);
        assertTrue(otherApi.apiProblems().toString().contains("answer"), otherApi::toString);
        assertEquals(1, compiler.keptTestsUsed());
    }

    @Test
    void aDamagedCopyIsCompiledAgain() throws IOException {
        SourceCompiler compiler = new SourceCompiler(temp.resolve("kept"));
        Fixtures.assertCompiledClean(compile(compiler, target("return 42;", "")));
        try (Stream<Path> files = Files.walk(temp.resolve("kept"))) {
            for (Path classFile : files.filter(p -> p.toString().endsWith("TargetTest.class")).toList()) {
                Files.delete(classFile);
            }
        }

        Path classes = Files.createTempDirectory(temp, "classes");
        Fixtures.assertCompiledClean(compiler.compile(List.of(write(target("return 42;", ""))), Fixtures.javaFiles(TESTS), classes));
        assertEquals(0, compiler.keptTestsUsed());
        assertTrue(Files.isRegularFile(classes.resolve("hostile/TargetTest.class")));
    }

    @Test
    void theKeptTestsAreTheOnesThatWouldHaveBeenCompiled() throws IOException {
        SourceCompiler compiler = new SourceCompiler(temp.resolve("kept"));
        Path first = Files.createTempDirectory(temp, "classes");
        compiler.compile(List.of(write(target("return 42;", ""))), Fixtures.javaFiles(TESTS), first);
        Path second = Files.createTempDirectory(temp, "classes");
        CompileOutcome outcome = compiler.compile(List.of(write(target("return 7;", ""))), Fixtures.javaFiles(TESTS), second);

        assertEquals(1, compiler.keptTestsUsed());
        assertEquals(List.of("hostile.TargetTest"), List.copyOf(outcome.testClasses()), outcome::toString);
        assertEquals(-1L, Files.mismatch(first.resolve("hostile/TargetTest.class"), second.resolve("hostile/TargetTest.class")));
    }

    private static String target(String body, String more) {
        return """
                package hostile;

                public class Target {
                    public static int answer() throws Exception {
                        %s
                    }

                    %s
                }
                """.formatted(body, more);
    }

    private CompileOutcome compile(SourceCompiler compiler, String targetSource) throws IOException {
        Path classes = Files.createTempDirectory(temp, "classes");
        return compiler.compile(List.of(write(targetSource)), Fixtures.javaFiles(TESTS), classes);
    }

    private Path write(String targetSource) throws IOException {
        Path dir = Files.createTempDirectory(temp, "src");
        return Files.writeString(dir.resolve("Target.java"), targetSource);
    }
}
