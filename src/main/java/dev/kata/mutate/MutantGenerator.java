package dev.kata.mutate;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.printer.lexicalpreservation.LexicalPreservingPrinter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derives concurrency mutants from Java source with the operators of {@link Operators}. Each mutant
 * is made on a fresh parse of the file and printed so that only what the operator changed differs
 * (JavaParser's lexical-preserving printer). Whether a mutant compiles is for the grader to find.
 */
public final class MutantGenerator {
    private final List<Operator> operators;

    public MutantGenerator() {
        this(Operators.ALL);
    }

    MutantGenerator(List<Operator> operators) {
        this.operators = operators;
    }

    /** The operators' ids, in order. */
    public static List<String> operatorIds() {
        return Operators.ALL.stream().map(Operator::id).toList();
    }

    /**
     * The mutants of one file.
     *
     * @param mutants     each distinct mutant, in operator order then source order
     * @param unprintable places where an operator applied but the result could not be printed
     * @param parseError  why the file could not be parsed, or null
     */
    public record Generated(List<Mutant> mutants, int unprintable, String parseError) {
    }

    public Generated generate(String file, String source) {
        ParseResult<CompilationUnit> first = parser().parse(source);
        if (!first.isSuccessful() || first.getResult().isEmpty()) {
            return new Generated(List.of(), 0, first.getProblems().isEmpty() ? "does not parse"
                    : first.getProblems().get(0).getMessage());
        }
        List<Mutant> mutants = new ArrayList<>();
        Set<String> texts = new LinkedHashSet<>();
        int unprintable = 0;
        for (Operator operator : operators) {
            List<Site> sites = operator.sites(first.getResult().get());
            Map<String, Integer> ordinals = new HashMap<>();
            for (int i = 0; i < sites.size(); i++) {
                String member = Members.of(sites.get(i).node());
                int n = ordinals.merge(member, 1, Integer::sum);
                String id = operator.id() + ":" + file + ":" + member + ":" + n;
                String mutated;
                try {
                    CompilationUnit unit = parser().parse(source).getResult().orElseThrow();
                    LexicalPreservingPrinter.setup(unit);
                    operator.sites(unit).get(i).apply().run();
                    mutated = LexicalPreservingPrinter.print(unit);
                } catch (RuntimeException e) {
                    unprintable++;
                    continue;
                }
                if (!mutated.equals(source) && texts.add(mutated)) {
                    mutants.add(new Mutant(id, operator.id(), file, source, mutated));
                }
            }
        }
        return new Generated(mutants, unprintable, null);
    }

    private static JavaParser parser() {
        return new JavaParser(new ParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_21));
    }
}
