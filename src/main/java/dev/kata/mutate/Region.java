package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.stmt.BlockStmt;
import com.github.javaparser.ast.stmt.Statement;
import com.github.javaparser.ast.stmt.SynchronizedStmt;
import com.github.javaparser.ast.stmt.TryStmt;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A critical region: a {@code synchronized} block, or {@code x.lock();} followed by a {@code try}
 * whose {@code finally} calls {@code x.unlock()}.
 *
 * @param acquire the statement that takes the lock (the synchronized block itself, or the lock call)
 * @param holder  the statement that holds the region's body (the synchronized block, or the try)
 * @param body    what runs under the lock
 * @param lock    the lock's expression as written, for a lock call; null for synchronized
 */
record Region(Statement acquire, Statement holder, BlockStmt body, String lock) {
    static final Set<String> ACQUIRE = Set.of("lock", "lockInterruptibly");

    /** The unit's critical regions, in the order they start. */
    static List<Region> in(CompilationUnit unit) {
        List<Region> out = new ArrayList<>();
        for (SynchronizedStmt s : unit.findAll(SynchronizedStmt.class)) {
            out.add(new Region(s, s, s.getBody(), null));
        }
        for (BlockStmt block : unit.findAll(BlockStmt.class)) {
            var list = block.getStatements();
            for (int i = 0; i + 1 < list.size(); i++) {
                var call = Statements.call(list.get(i), ACQUIRE).filter(c -> c.getScope().isPresent() && c.getArguments().isEmpty());
                if (call.isPresent() && list.get(i + 1) instanceof TryStmt t && t.getFinallyBlock().isPresent()) {
                    String lock = call.get().getScope().get().toString();
                    if (!unlocks(t.getFinallyBlock().get(), lock).isEmpty()) {
                        out.add(new Region(list.get(i), t, t.getTryBlock(), lock));
                    }
                }
            }
        }
        out.sort(Comparator.comparing(r -> r.acquire().getBegin().orElseThrow()));
        return out;
    }

    /** The statements of {@code block} that are {@code lock.unlock();}. */
    static List<Statement> unlocks(BlockStmt block, String lock) {
        return block.getStatements().stream()
                .filter(s -> Statements.call(s, Set.of("unlock"))
                        .flatMap(MethodCallExpr::getScope).map(e -> e.toString().equals(lock)).orElse(false))
                .toList();
    }

    BlockStmt enclosing() {
        return Statements.block(acquire).orElse(null);
    }
}
