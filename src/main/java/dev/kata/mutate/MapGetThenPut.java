package dev.kata.mutate;

import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.BodyDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.MethodCallExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A concurrent map's atomic update becomes a get, then a put: {@code putIfAbsent},
 * {@code computeIfAbsent}, {@code compute} and {@code merge} are done by a helper the mutant adds
 * to the class, which reads the key and then writes it, so two threads can both see it missing.
 */
final class MapGetThenPut implements Operator {
    private static final Map<String, Integer> ARITY = Map.of(
            "putIfAbsent", 2, "computeIfAbsent", 2, "compute", 2, "merge", 3);
    private static final Map<String, String> HELPERS = Map.of(
            "putIfAbsent", """
                    /** Not atomic: a get, then a put. */
                    private static <K, V> V getThenPutIfAbsent(java.util.Map<K, V> map, K key, V value) {
                        V old = map.get(key);
                        if (old == null) {
                            map.put(key, value);
                        }
                        return old;
                    }""",
            "computeIfAbsent", """
                    /** Not atomic: a get, then a put. */
                    private static <K, V> V getThenComputeIfAbsent(java.util.Map<K, V> map, K key,
                            java.util.function.Function<? super K, ? extends V> load) {
                        V value = map.get(key);
                        if (value == null) {
                            value = load.apply(key);
                            if (value != null) {
                                map.put(key, value);
                            }
                        }
                        return value;
                    }""",
            "compute", """
                    /** Not atomic: a get, then a put. */
                    private static <K, V> V getThenCompute(java.util.Map<K, V> map, K key,
                            java.util.function.BiFunction<? super K, ? super V, ? extends V> update) {
                        V old = map.get(key);
                        V value = update.apply(key, old);
                        if (value != null) {
                            map.put(key, value);
                        } else if (old != null) {
                            map.remove(key);
                        }
                        return value;
                    }""",
            "merge", """
                    /** Not atomic: a get, then a put. */
                    private static <K, V> V getThenMerge(java.util.Map<K, V> map, K key, V given,
                            java.util.function.BiFunction<? super V, ? super V, ? extends V> merge) {
                        V old = map.get(key);
                        V value = old == null ? given : merge.apply(old, given);
                        if (value == null) {
                            map.remove(key);
                        } else {
                            map.put(key, value);
                        }
                        return value;
                    }""");

    @Override
    public String id() {
        return "map-get-then-put";
    }

    @Override
    public String does() {
        return "turns putIfAbsent, computeIfAbsent, compute or merge into a get, then a put";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        List<Site> out = new ArrayList<>();
        TypeDeclaration<?> top = unit.getPrimaryType().orElse(unit.getTypes().isEmpty() ? null : unit.getType(0));
        if (top == null) {
            return out;
        }
        for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
            String name = call.getNameAsString();
            Integer arity = ARITY.get(name);
            if (arity == null || call.getArguments().size() != arity || call.getScope().isEmpty()) {
                continue;
            }
            out.add(new Site(call, () -> {
                String helper = "getThen" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
                MethodCallExpr replacement = new MethodCallExpr(helper, call.getScope().get().clone());
                call.getArguments().forEach(a -> replacement.addArgument(a.clone()));
                call.replace(replacement);
                if (top.getMethodsByName(helper).isEmpty()) {
                    BodyDeclaration<?> method = StaticJavaParser.parseBodyDeclaration(HELPERS.get(name));
                    top.addMember(method);
                }
            }));
        }
        return out;
    }
}
