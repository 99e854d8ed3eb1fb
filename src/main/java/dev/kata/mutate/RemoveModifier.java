package dev.kata.mutate;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Modifier;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.nodeTypes.NodeWithModifiers;
import java.util.List;

/** Removes {@code synchronized} from a method, or {@code volatile} from a field. */
final class RemoveModifier implements Operator {
    static final RemoveModifier SYNCHRONIZED = new RemoveModifier("remove-synchronized",
            "removes the synchronized modifier of a method", MethodDeclaration.class, Modifier.Keyword.SYNCHRONIZED);
    static final RemoveModifier VOLATILE = new RemoveModifier("remove-volatile",
            "removes the volatile modifier of a field", FieldDeclaration.class, Modifier.Keyword.VOLATILE);

    private final String id;
    private final String does;
    private final Class<? extends com.github.javaparser.ast.Node> type;
    private final Modifier.Keyword keyword;

    private RemoveModifier(String id, String does, Class<? extends com.github.javaparser.ast.Node> type,
                           Modifier.Keyword keyword) {
        this.id = id;
        this.does = does;
        this.type = type;
        this.keyword = keyword;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String does() {
        return does;
    }

    @Override
    public List<Site> sites(CompilationUnit unit) {
        return unit.findAll(type).stream()
                .map(n -> (NodeWithModifiers<?>) n)
                .filter(n -> n.hasModifier(keyword))
                .map(n -> new Site((com.github.javaparser.ast.Node) n, () -> n.removeModifier(keyword)))
                .toList();
    }
}
