package dev.kata.mutate;

import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.ConstructorDeclaration;
import com.github.javaparser.ast.body.EnumConstantDeclaration;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.InitializerDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The member a node is in, as a mutant id names it: {@code get}, {@code <init>}, a field's name,
 * {@code Worker.run} for a member of a nested type. Independent of line numbers, so that a mutant
 * keeps its id when unrelated code moves.
 */
final class Members {
    private Members() {
    }

    static String of(Node node) {
        String member = null;
        Deque<String> types = new ArrayDeque<>();
        for (Node n = node; n != null; n = n.getParentNode().orElse(null)) {
            if (member == null) {
                if (n instanceof ConstructorDeclaration) {
                    member = "<init>";
                } else if (n instanceof CallableDeclaration<?> c) {
                    member = c.getNameAsString();
                } else if (n instanceof FieldDeclaration f) {
                    member = f.getVariable(0).getNameAsString();
                } else if (n instanceof InitializerDeclaration i) {
                    member = i.isStatic() ? "<clinit>" : "<init>";
                } else if (n instanceof EnumConstantDeclaration e) {
                    member = e.getNameAsString();
                }
            }
            if (n instanceof TypeDeclaration<?> t && member != null) {
                types.push(t.getNameAsString());
            } else if (n instanceof TypeDeclaration<?> t) {
                member = t.getNameAsString();
            }
        }
        types.pollFirst(); // the file's top-level type is implied by the file
        types.addLast(member == null ? "<type>" : member);
        return String.join(".", types);
    }
}
