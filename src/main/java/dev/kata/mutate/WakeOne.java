package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.expr.MethodCallExpr;
import java.util.List;

/** Wakes one waiter where all must wake: notifyAll becomes notify, signalAll becomes signal. */
final class WakeOne implements Operator {
    @Override
    public String id() {
        return "notify-all-to-notify";
    }

    @Override
    public String does() {
        return "notifyAll() to notify(), signalAll() to signal()";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        return unit.findAll(MethodCallExpr.class).stream()
                .filter(c -> c.getArguments().isEmpty()
                        && (c.getNameAsString().equals("notifyAll") || c.getNameAsString().equals("signalAll")))
                .map(c -> new Site(c, () -> c.setName(c.getNameAsString().equals("notifyAll") ? "notify" : "signal")))
                .toList();
    }
}
