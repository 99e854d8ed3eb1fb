package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.VariableDeclarationExpr;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import com.github.javaparser.ast.stmt.TryStmt;
import java.util.ArrayList;
import java.util.List;

/**
 * A try-with-resources resource that is never closed: its declaration moves before the try (an
 * executor that is not waited for, a stream left open). A try left with nothing to do unwraps.
 */
final class RemoveTryResource implements Operator {
    @Override
    public String id() {
        return "remove-close";
    }

    @Override
    public String does() {
        return "takes a resource out of try-with-resources: it is never closed";
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        List<Site> out = new ArrayList<>();
        for (TryStmt t : unit.findAll(TryStmt.class)) {
            if (Statements.block(t).isEmpty()) {
                continue;
            }
            for (Expression resource : t.getResources()) {
                out.add(new Site(resource, () -> {
                    var outer = Statements.block(t).orElseThrow();
                    resource.remove();
                    if (resource instanceof VariableDeclarationExpr declaration) {
                        outer.getStatements().add(outer.getStatements().indexOf(t), new ExpressionStmt(declaration));
                    }
                    if (t.getResources().isEmpty() && t.getCatchClauses().isEmpty() && t.getFinallyBlock().isEmpty()) {
                        Statements.unwrap(t, t.getTryBlock());
                    }
                }));
            }
        }
        return out;
    }
}
