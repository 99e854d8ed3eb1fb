package dev.kata.mutate;

import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import com.github.javaparser.ast.stmt.Statement;
import java.util.stream.Collectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An atomic read-modify-write becomes a read, then a write: {@code n.incrementAndGet()} to
 * {@code n.set(n.get() + 1)} (or, where its value is used, {@code n.getAndSet(n.get() + 1) + 1});
 * {@code compareAndSet(e, u)} to {@code n.get() == e && n.compareAndSet(n.get(), u)}. Another
 * thread's update between the read and the write is lost. A {@code LongAdder}'s add becomes a sum,
 * a reset and an add.
 */
final class AtomicGetThenSet implements Operator {
    private static final Set<String> ADDER_NAMES = Set.of("add", "increment", "decrement");
    private static final Set<String> NAMES = Set.of("incrementAndGet", "decrementAndGet", "getAndIncrement",
            "getAndDecrement", "addAndGet", "getAndAdd", "compareAndSet", "weakCompareAndSet",
            "weakCompareAndSetVolatile");

    @Override
    public String id() {
        return "atomic-get-then-set";
    }

    @Override
    public String does() {
        return "turns an atomic read-modify-write (incrementAndGet, addAndGet, compareAndSet...) into a get, then a set";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        List<Site> out = new ArrayList<>();
        Set<String> adders = unit.findAll(VariableDeclarator.class).stream()
                .filter(v -> v.getType().asString().endsWith("LongAdder") || v.getType().asString().endsWith("DoubleAdder"))
                .map(VariableDeclarator::getNameAsString)
                .collect(Collectors.toSet());
        for (ExpressionStmt statement : unit.findAll(ExpressionStmt.class)) {
            var call = Statements.call(statement, ADDER_NAMES).orElse(null);
            if (call != null && call.getScope().map(s -> adders.contains(s.toString().replaceFirst("^this\\.", ""))).orElse(false)
                    && call.getArguments().size() == (call.getNameAsString().equals("add") ? 1 : 0)) {
                out.add(new Site(call, () -> statement.replace(adderGetThenSet(call))));
            }
        }
        for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
            String name = call.getNameAsString();
            if (!NAMES.contains(name) || call.getScope().isEmpty()) {
                continue;
            }
            int args = call.getArguments().size();
            boolean cas = name.toLowerCase().endsWith("compareandset");
            boolean adds = name.equals("addAndGet") || name.equals("getAndAdd");
            if (cas ? args != 2 : adds ? args != 1 : args != 0) {
                continue;
            }
            out.add(new Site(call, () -> call.replace(replacement(call, name, cas, adds))));
        }
        return out;
    }

    /** {@code n.add(d);} to a sum, a reset and an add: an add by another thread in between is lost. */
    private static Statement adderGetThenSet(MethodCallExpr call) {
        String x = call.getScope().orElseThrow().toString();
        String delta = switch (call.getNameAsString()) {
            case "add" -> "(" + call.getArgument(0) + ")";
            case "increment" -> "1";
            default -> "-1";
        };
        String sum = "var";
        return StaticJavaParser.parseStatement("{ " + sum + " seen = " + x + ".sum(); " + x + ".reset(); " + x
                + ".add(seen + " + delta + "); }");
    }

    private static Expression replacement(MethodCallExpr call, String name, boolean cas, boolean adds) {
        String x = call.getScope().orElseThrow().toString();
        if (cas) {
            return StaticJavaParser.parseExpression("(" + x + ".get() == (" + call.getArgument(0) + ") && " + x
                    + ".compareAndSet(" + x + ".get(), " + call.getArgument(1) + "))");
        }
        String delta = adds ? "(" + call.getArgument(0) + ")" : "1";
        String sign = name.contains("ecrement") ? " - " : " + ";
        String next = x + ".get()" + sign + delta;
        if (call.getParentNode().orElse(null) instanceof ExpressionStmt) {
            return StaticJavaParser.parseExpression(x + ".set(" + next + ")");
        }
        boolean returnsNew = name.endsWith("AndGet");
        return StaticJavaParser.parseExpression(returnsNew
                ? "(" + x + ".getAndSet(" + next + ")" + sign + delta + ")"
                : x + ".getAndSet(" + next + ")");
    }
}
