package dev.kata.validate;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ParseProblemException;
import com.github.javaparser.JavaParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The test methods of a kata's {@code tests/*.java}, by class: methods annotated {@code @Test},
 * {@code @ParameterizedTest}, {@code @RepeatedTest}, {@code @TestFactory} or {@code @TestTemplate},
 * in top-level and nested classes. Read with a parser, so comments and strings never count.
 *
 * @param byClass  simple class name to its test method names, in file order
 * @param unreadable files that do not parse, with the parser's first message
 */
public record HiddenTests(Map<String, Set<String>> byClass, List<String> unreadable) {
    private static final Set<String> TEST_ANNOTATIONS =
            Set.of("Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate");

    public static HiddenTests in(Path testsDir) {
        Map<String, Set<String>> byClass = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        JavaParser parser = new JavaParser(new ParserConfiguration()
                .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_21));
        List<Path> files;
        try (Stream<Path> entries = Files.list(testsDir)) {
            files = entries.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            return new HiddenTests(Map.of(), List.of(testsDir + ": cannot be read: " + e.getMessage()));
        }
        for (Path file : files) {
            try {
                var result = parser.parse(file);
                if (result.getResult().isEmpty() || !result.isSuccessful()) {
                    unreadable.add(file.getFileName() + ": " + (result.getProblems().isEmpty() ? "does not parse"
                            : result.getProblems().get(0).getVerboseMessage().lines().findFirst().orElse("")));
                    continue;
                }
                CompilationUnit unit = result.getResult().get();
                for (ClassOrInterfaceDeclaration type : unit.findAll(ClassOrInterfaceDeclaration.class)) {
                    Set<String> methods = byClass.computeIfAbsent(type.getNameAsString(), k -> new LinkedHashSet<>());
                    for (MethodDeclaration m : type.getMethods()) {
                        if (m.getAnnotations().stream().anyMatch(a -> TEST_ANNOTATIONS.contains(a.getName().getIdentifier()))) {
                            methods.add(m.getNameAsString());
                        }
                    }
                }
            } catch (IOException | ParseProblemException e) {
                unreadable.add(file.getFileName() + ": " + e.getMessage());
            }
        }
        byClass.values().removeIf(Set::isEmpty);
        return new HiddenTests(byClass, unreadable);
    }

    /** Every test as {@code Class.method}. */
    public List<String> all() {
        List<String> out = new ArrayList<>();
        byClass.forEach((type, methods) -> methods.forEach(m -> out.add(type + "." + m)));
        return out;
    }
}
