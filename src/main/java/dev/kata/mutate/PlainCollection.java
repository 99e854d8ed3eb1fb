package dev.kata.mutate;

import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.ObjectCreationExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A concurrent collection becomes a plain one: {@code new ConcurrentHashMap<>()} to
 * {@code new java.util.HashMap<>()}, a synchronized wrapper to what it wraps. Where the declared
 * type needs the concurrent one, the mutant does not compile and is dropped.
 */
final class PlainCollection implements Operator {
    private static final Map<String, String> PLAIN = Map.of(
            "ConcurrentHashMap", "java.util.HashMap",
            "ConcurrentSkipListMap", "java.util.TreeMap",
            "ConcurrentSkipListSet", "java.util.TreeSet",
            "CopyOnWriteArrayList", "java.util.ArrayList",
            "CopyOnWriteArraySet", "java.util.LinkedHashSet",
            "ConcurrentLinkedQueue", "java.util.ArrayDeque",
            "ConcurrentLinkedDeque", "java.util.ArrayDeque");
    private static final Set<String> WRAPPERS = Set.of("synchronizedMap", "synchronizedList", "synchronizedSet",
            "synchronizedCollection", "synchronizedSortedMap", "synchronizedSortedSet", "synchronizedNavigableMap",
            "synchronizedNavigableSet");

    @Override
    public String id() {
        return "plain-collection";
    }

    @Override
    public String does() {
        return "replaces a concurrent collection with a plain one";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        List<Site> out = new ArrayList<>();
        for (ObjectCreationExpr creation : unit.findAll(ObjectCreationExpr.class)) {
            String plain = PLAIN.get(creation.getType().getNameAsString());
            if (plain != null && creation.getAnonymousClassBody().isEmpty()) {
                out.add(new Site(creation, () -> {
                    String typeArguments = creation.getType().getTypeArguments()
                            .map(args -> "<" + args.stream().map(Object::toString).collect(Collectors.joining(", ")) + ">")
                            .orElse("");
                    String arguments = creation.getArguments().stream().map(Object::toString)
                            .collect(Collectors.joining(", "));
                    creation.replace(StaticJavaParser.parseExpression(
                            "new " + plain + typeArguments + "(" + arguments + ")"));
                }));
            }
        }
        for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
            String scope = call.getScope().map(Object::toString).orElse("");
            if (call.getNameAsString().equals("newKeySet") && scope.endsWith("ConcurrentHashMap")
                    && call.getArguments().size() <= 1) {
                out.add(new Site(call, () -> call.replace(StaticJavaParser.parseExpression("new java.util.HashSet<>()"))));
            } else if (WRAPPERS.contains(call.getNameAsString()) && scope.endsWith("Collections")
                    && call.getArguments().size() == 1) {
                out.add(new Site(call, () -> call.replace(call.getArgument(0).clone())));
            }
        }
        return out;
    }
}
