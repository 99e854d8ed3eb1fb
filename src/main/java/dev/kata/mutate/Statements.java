package dev.kata.mutate;

import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.NodeList;
import com.github.javaparser.ast.expr.LambdaExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.stmt.BlockStmt;
import com.github.javaparser.ast.stmt.BreakStmt;
import com.github.javaparser.ast.stmt.ContinueStmt;
import com.github.javaparser.ast.stmt.EmptyStmt;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import com.github.javaparser.ast.stmt.ReturnStmt;
import com.github.javaparser.ast.stmt.Statement;
import com.github.javaparser.ast.stmt.ThrowStmt;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Edits of statement lists that several operators share. */
final class Statements {
    private Statements() {
    }

    /** The block directly holding {@code statement}, if it is in one. */
    static Optional<BlockStmt> block(Statement statement) {
        return statement.getParentNode().filter(BlockStmt.class::isInstance).map(BlockStmt.class::cast);
    }

    /** Removes a statement: from its block, or as an empty statement (an empty block in a lambda). */
    static void remove(Statement statement) {
        Node parent = statement.getParentNode().orElseThrow();
        if (parent instanceof BlockStmt block && block.getStatements().size() == 1) {
            block.replace(new BlockStmt()); // printed as "{" and "}" where the block stood, unlike a removal
        } else if (parent instanceof BlockStmt block) {
            block.getStatements().remove(statement);
        } else if (parent instanceof LambdaExpr) {
            statement.replace(new BlockStmt());
        } else {
            statement.replace(new EmptyStmt());
        }
    }

    /** Replaces {@code statement}, which must be in a block, by the statements of {@code body}. */
    static void unwrap(Statement statement, BlockStmt body) {
        BlockStmt block = block(statement).orElseThrow();
        NodeList<Statement> list = block.getStatements();
        int at = list.indexOf(statement);
        List<Statement> inner = List.copyOf(body.getStatements());
        list.remove(statement);
        for (int i = 0; i < inner.size(); i++) {
            Statement s = inner.get(i);
            s.remove();
            list.add(at + i, s);
        }
    }

    /** Whether control never goes on after {@code statement} (so nothing may follow it). */
    static boolean jumps(Statement statement) {
        return statement instanceof ReturnStmt || statement instanceof ThrowStmt
                || statement instanceof BreakStmt || statement instanceof ContinueStmt;
    }

    /** A statement that is only a call to one of {@code names}, the call, if it is one. */
    static Optional<MethodCallExpr> call(Statement statement, Set<String> names) {
        return statement instanceof ExpressionStmt e && e.getExpression() instanceof MethodCallExpr call
                && names.contains(call.getNameAsString()) ? Optional.of(call) : Optional.empty();
    }
}
