package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import java.util.List;
import java.util.Set;

/**
 * Removes a statement that only calls a method that releases, wakes, ends or waits for something:
 * unlock, countDown, signal, notify, interrupt, cancel, close, shutdown, stop (an HttpServer's),
 * join, await and their kin.
 */
final class RemoveCall implements Operator {
    static final Set<String> NAMES = Set.of(
            "unlock", "countDown", "signal", "signalAll", "notify", "notifyAll", "interrupt", "cancel", "close",
            "shutdown", "shutdownNow", "stop", "join", "await", "awaitTermination", "release", "arrive",
            "arriveAndDeregister", "arriveAndAwaitAdvance", "complete", "completeExceptionally", "unpark");

    @Override
    public String id() {
        return "remove-call";
    }

    @Override
    public String does() {
        return "removes a call to unlock, countDown, signal, notify, interrupt, cancel, close, shutdown, join, await...";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        return unit.findAll(ExpressionStmt.class).stream()
                .filter(s -> Statements.call(s, NAMES).isPresent())
                .map(s -> new Site(s, () -> Statements.remove(s)))
                .toList();
    }
}
