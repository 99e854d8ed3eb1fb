package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The line of the learner's file the session points at ({@code path:line}, which terminals and
 * editors open at that line): after a failing check, the learner's line the failure names; before
 * that, the first line of code where the starter and the reference solution differ (imports and
 * comments aside), that is where the trouble starts.
 */
final class SourceLine {
    private SourceLine() {
    }

    /** A file of the kata and a line in it (0: no particular line). */
    record Spot(String file, int line) {
    }

    /**
     * Where to point: the learner's line a failing verdict names, else the first file whose code
     * differs from the reference solution, at that line; else the kata's first file.
     */
    static Spot of(Kata kata, Verdict last) {
        if (last != null && !last.passed()) {
            for (String file : kata.files()) {
                int line = fromVerdict(file, last);
                if (line > 0) {
                    return new Spot(file, line);
                }
            }
        }
        return firstDifference(kata);
    }

    static Spot firstDifference(Kata kata) {
        for (String file : kata.files()) {
            int line = firstDifference(kata, file);
            if (line > 0) {
                return new Spot(file, line);
            }
        }
        return new Spot(kata.files().get(0), 0);
    }

    static int fromVerdict(String file, Verdict verdict) {
        for (var d : verdict.diagnostics()) {
            if (d.file() != null && Path.of(d.file()).getFileName().toString().equals(file) && d.line() > 0) {
                return (int) d.line();
            }
        }
        for (TestResult t : verdict.tests()) {
            if (!t.passed()) {
                int line = lineIn(t.location(), file);
                if (line > 0) {
                    return line;
                }
                for (var thread : t.threads()) {
                    line = lineIn(thread.location(), file);
                    if (line > 0) {
                        return line;
                    }
                }
            }
        }
        return 0;
    }

    private static int lineIn(String location, String file) {
        if (location == null || !location.startsWith(file + ":")) {
            return 0;
        }
        try {
            return Integer.parseInt(location.substring(file.length() + 1).replaceAll("[^0-9].*$", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static int firstDifference(Kata kata, String file) {
        try {
            List<String> starter = Files.readAllLines(kata.starterDir().resolve(file));
            List<String> solution = code(Files.readAllLines(kata.solutionFile(file)));
            int j = 0;
            for (int i = 0; i < starter.size(); i++) {
                String line = starter.get(i).strip();
                if (!isCode(line)) {
                    continue;
                }
                if (j >= solution.size() || !line.equals(solution.get(j))) {
                    return i + 1;
                }
                j++;
            }
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> code(List<String> lines) {
        return lines.stream().map(String::strip).filter(SourceLine::isCode).toList();
    }

    /** Lines that carry code: not blank, not an import or package line, not a comment. */
    private static boolean isCode(String line) {
        return !(line.isEmpty() || line.startsWith("import ") || line.startsWith("package ") || line.startsWith("//")
                || line.startsWith("*") || line.startsWith("/*"));
    }
}
