package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.NodeList;
import com.github.javaparser.ast.stmt.BlockStmt;
import com.github.javaparser.ast.stmt.Statement;
import com.github.javaparser.ast.stmt.TryStmt;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement of a finally block runs only when the try block ends normally: it moves to the end
 * of the try block (before a final return or throw). An unlock, a countDown or a close that an
 * exception now skips.
 */
final class OutOfFinally implements Operator {
    @Override
    public String id() {
        return "out-of-finally";
    }

    @Override
    public String does() {
        return "moves a statement out of a finally block, to the end of the try block";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        List<Site> out = new ArrayList<>();
        for (TryStmt t : unit.findAll(TryStmt.class)) {
            BlockStmt fin = t.getFinallyBlock().orElse(null);
            if (fin == null) {
                continue;
            }
            for (Statement s : fin.getStatements()) {
                out.add(new Site(s, () -> {
                    s.remove();
                    NodeList<Statement> body = t.getTryBlock().getStatements();
                    boolean jumps = body.getLast().map(Statements::jumps).orElse(false);
                    body.add(jumps ? body.size() - 1 : body.size(), s);
                    if (fin.getStatements().isEmpty()) {
                        Tries.dropFinally(t);
                    }
                }));
            }
        }
        return out;
    }
}
