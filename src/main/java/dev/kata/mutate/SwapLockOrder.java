package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.stmt.SynchronizedStmt;
import java.util.ArrayList;
import java.util.List;

/**
 * Swaps the order in which two locks are taken: a synchronized block directly inside another
 * trades monitors with it; of two lock calls on different locks with the first region holding
 * the second, each takes the other's lock.
 */
final class SwapLockOrder implements Operator {
    @Override
    public String id() {
        return "swap-lock-order";
    }

    @Override
    public String does() {
        return "swaps the order in which two nested locks are taken";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        List<Site> out = new ArrayList<>();
        for (SynchronizedStmt outer : unit.findAll(SynchronizedStmt.class)) {
            for (SynchronizedStmt inner : outer.getBody().findAll(SynchronizedStmt.class)) {
                if (inner.findAncestor(SynchronizedStmt.class).orElse(null) == outer
                        && !inner.getExpression().toString().equals(outer.getExpression().toString())) {
                    out.add(new Site(outer, () -> swap(outer.getExpression(), inner.getExpression(), outer::setExpression,
                            inner::setExpression)));
                }
            }
        }
        for (Region outer : Region.in(unit)) {
            if (outer.lock() == null) {
                continue;
            }
            for (Region inner : Region.in(unit)) {
                if (inner.lock() != null && inner != outer && !inner.lock().equals(outer.lock())
                        && inner.acquire().isDescendantOf(outer.body())) {
                    MethodCallExpr a = (MethodCallExpr) ((com.github.javaparser.ast.stmt.ExpressionStmt) outer.acquire()).getExpression();
                    MethodCallExpr b = (MethodCallExpr) ((com.github.javaparser.ast.stmt.ExpressionStmt) inner.acquire()).getExpression();
                    out.add(new Site(outer.acquire(), () -> swap(a.getScope().orElseThrow(), b.getScope().orElseThrow(),
                            a::setScope, b::setScope)));
                }
            }
        }
        return out;
    }

    private static void swap(Expression first, Expression second,
                             java.util.function.Consumer<Expression> setFirst, java.util.function.Consumer<Expression> setSecond) {
        Expression one = first.clone();
        Expression two = second.clone();
        setFirst.accept(two);
        setSecond.accept(one);
    }
}
