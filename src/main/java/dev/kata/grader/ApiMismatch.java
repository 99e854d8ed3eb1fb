package dev.kata.grader;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Turns the hidden tests' compile errors into what the learner needs to hear: which class or
 * method the tests need that their code no longer has. The hidden tests' own lines are never
 * shown.
 */
final class ApiMismatch {
    private ApiMismatch() {
    }

    static List<String> explain(List<Diagnostic<? extends JavaFileObject>> testErrors) {
        Set<String> problems = new LinkedHashSet<>();
        for (Diagnostic<? extends JavaFileObject> d : testErrors) {
            problems.add(explain(d.getMessage(Locale.ROOT)));
        }
        return new ArrayList<>(problems);
    }

    static String explain(String message) {
        String[] lines = message.split("\\R");
        String symbol = null;
        String location = null;
        for (String line : lines) {
            String t = line.trim();
            if (t.startsWith("symbol:")) {
                symbol = t.substring("symbol:".length()).trim();
            } else if (t.startsWith("location:")) {
                location = t.substring("location:".length()).trim();
            }
        }
        if (lines[0].startsWith("cannot find symbol") && symbol != null) {
            return "the hidden tests need " + symbol + (location == null ? "" : " in " + readable(location))
                    + ", which your code does not have";
        }
        return "the hidden tests cannot use your code as written: " + lines[0];
    }

    /** "variable service of type AlertService" reads better as "AlertService". */
    private static String readable(String location) {
        int of = location.indexOf(" of type ");
        return of < 0 ? location : "class " + location.substring(of + " of type ".length());
    }
}
