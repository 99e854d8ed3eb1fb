package dev.kata.mutate;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.List;

/** A unified diff of two versions of one file. */
final class UnifiedDiff {
    private UnifiedDiff() {
    }

    static String of(String file, String before, String after, int context) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        List<String> lines = UnifiedDiffUtils.generateUnifiedDiff("solution/" + file, "mutant/" + file, a,
                DiffUtils.diff(a, b), context);
        return String.join("\n", lines) + "\n";
    }
}
