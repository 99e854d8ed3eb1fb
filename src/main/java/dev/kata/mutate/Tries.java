package dev.kata.mutate;

import com.github.javaparser.ast.stmt.TryStmt;

/** Edits of try statements. */
final class Tries {
    private Tries() {
    }

    /** Drops an empty finally: a try left with no catch and no resource becomes its plain block's statements. */
    static void dropFinally(TryStmt t) {
        if (t.getCatchClauses().isEmpty() && t.getResources().isEmpty()) {
            if (Statements.block(t).isPresent()) {
                Statements.unwrap(t, t.getTryBlock());
            } else {
                t.replace(t.getTryBlock());
            }
        } else {
            t.removeFinallyBlock();
        }
    }
}
