package dev.kata.render;

import dev.kata.catalog.Kata;
import dev.kata.grader.CompileDiagnostic;
import dev.kata.grader.Status;
import dev.kata.grader.TestResult;
import dev.kata.grader.ThreadReport;
import dev.kata.grader.Verdict;
import dev.kata.probe.api.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verdict for people: one headline, then what to look at, the learner's file and line first.
 * Only the learner's frames and the frames where their threads are blocked are shown, never the
 * tutor's own stack.
 */
public final class VerdictText {
    static final int OUTPUT_LINES = 20;
    static final int FRAMES_PER_THREAD = 5;

    private final Style style;
    private final PathDisplay paths;
    private final boolean verbose;

    private final int width;

    public VerdictText(Style style, PathDisplay paths, boolean verbose) {
        this(style, paths, verbose, 100);
    }

    /**
     * @param width the column at which long messages are wrapped
     */
    public VerdictText(Style style, PathDisplay paths, boolean verbose, int width) {
        this.style = style;
        this.paths = paths;
        this.verbose = verbose;
        this.width = Math.max(40, width);
    }

    /**
     * @param sourceDir the folder of the learner's files, to turn file names into paths they can open
     */
    public String render(Verdict verdict, Kata kata, Path sourceDir) {
        Lines out = new Lines();
        headline(verdict, out);
        // The summary repeats the first failing test, so it is shown only when no test or diagnostic says more.
        boolean detailed = !orEmpty(verdict.diagnostics()).isEmpty()
                || orEmpty(verdict.tests()).stream().anyMatch(t -> !t.passed() && t.reason() != Reason.NOT_RUN);
        if (!verdict.passed() && !detailed && verdict.summary() != null && !verdict.summary().isBlank()) {
            out.add("  " + verdict.summary().strip());
        }
        if (!orEmpty(verdict.diagnostics()).isEmpty()) {
            out.blank();
            verdict.diagnostics().forEach(d -> diagnostic(d, sourceDir, out));
        }
        tests(verdict, kata, sourceDir, out);
        if (verdict.status() == Status.INCONCLUSIVE) {
            out.blank();
            out.add("This is not a verdict on your code: the tutor could not tell. Run "
                    + style.bold("kata check " + verdict.kataId()) + " again, ideally when the machine is less busy.");
        }
        output(verdict, out);
        return out.text();
    }

    private void headline(Verdict verdict, Lines out) {
        String id = style.bold(verdict.kataId());
        if (verdict.passed()) {
            int count = orEmpty(verdict.tests()).size();
            out.add(style.passMark() + " " + id + " passes (" + count + (count == 1 ? " test, " : " tests, ")
                    + seconds(verdict.durationMs()) + ")");
        } else if (verdict.status() == Status.INCONCLUSIVE) {
            String reason = verdict.reason() == null ? "" : " (" + verdict.reason().id() + ")";
            out.add(style.unsureMark() + " " + id + ": " + style.yellow("inconclusive") + reason);
        } else {
            String reason = verdict.reason() == null ? "failed" : verdict.reason().id();
            out.add(style.failMark() + " " + id + " fails: " + style.red(reason));
        }
    }

    private void diagnostic(CompileDiagnostic d, Path sourceDir, Lines out) {
        StringBuilder where = new StringBuilder(filePath(d.file(), sourceDir));
        if (d.line() > 0) {
            where.append(':').append(d.line());
            if (d.column() > 0) {
                where.append(':').append(d.column());
            }
        }
        out.add(style.bold(where + ":") + " " + style.red("error:") + " " + d.message().strip());
        if (d.sourceLine() != null && !d.sourceLine().isBlank()) {
            String line = d.sourceLine().stripTrailing();
            out.add(line);
            if (d.column() > 0) {
                out.add(caretPad(line, (int) d.column() - 1) + style.green("^"));
            }
        }
    }

    /** Spaces up to the column, keeping tabs so the caret lines up under tab-indented code. */
    private static String caretPad(String line, int column) {
        StringBuilder pad = new StringBuilder();
        for (int i = 0; i < column; i++) {
            pad.append(i < line.length() && line.charAt(i) == '\t' ? '\t' : ' ');
        }
        return pad.toString();
    }

    private void tests(Verdict verdict, Kata kata, Path sourceDir, Lines out) {
        List<TestResult> tests = orEmpty(verdict.tests());
        if (tests.isEmpty()) {
            return;
        }
        List<TestResult> failed = tests.stream().filter(t -> t.status() == Status.FAIL && t.reason() != Reason.NOT_RUN).toList();
        List<TestResult> notRun = tests.stream().filter(t -> t.reason() == Reason.NOT_RUN).toList();
        if (!verdict.passed() && !failed.isEmpty()) {
            out.blank();
            out.add(failed.size() + " of " + tests.size() + (tests.size() == 1 ? " test" : " tests") + " failed:");
        }
        List<TestResult> explained = new ArrayList<>();
        for (TestResult test : tests) {
            if (test.passed()) {
                if (verbose) {
                    out.add(style.passMark() + " " + test.name() + style.dim(" (" + test.durationMs() + " ms)"));
                }
            } else if (test.reason() != Reason.NOT_RUN) {
                TestResult same = explained.stream().filter(e -> sameFailure(e, test)).findFirst().orElse(null);
                if (same != null && !verbose) {
                    out.add(style.failMark() + " " + style.bold(test.name()) + ": " + style.red(test.reason().id())
                            + style.dim(" (the same as " + same.name() + ")"));
                } else {
                    failedTest(test, kata, sourceDir, out);
                    explained.add(test);
                }
            }
        }
        if (!notRun.isEmpty()) {
            out.blank();
            String why = notRun.get(0).message() == null ? "" : notRun.get(0).message().replaceFirst("^not run: ", "");
            wrap("Not run: " + String.join(", ", notRun.stream().map(TestResult::name).toList()), "")
                    .forEach(line -> out.add(style.dim(line)));
            if (!why.isBlank()) {
                wrap(why, "  ").forEach(line -> out.add(style.dim(line)));
            }
        }
    }

    /** Two failures that would print the same explanation: the second gets one line. */
    private static boolean sameFailure(TestResult a, TestResult b) {
        return a.reason() == b.reason() && a.message() != null && a.message().equals(b.message())
                && java.util.Objects.equals(a.location(), b.location());
    }

    private void failedTest(TestResult test, Kata kata, Path sourceDir, Lines out) {
        out.blank();
        String reason = test.reason() == null ? "failed" : test.reason().id();
        if (test.status() == Status.INCONCLUSIVE) {
            out.add(style.unsureMark() + " " + style.bold(test.name()) + ": " + style.yellow("inconclusive")
                    + style.dim(" (" + reason + ")"));
        } else {
            out.add(style.failMark() + " " + style.bold(test.name()) + ": " + style.red(reason));
        }
        if (test.location() != null && !test.location().isBlank()) {
            out.add("  at " + style.bold(location(test.location(), kata, sourceDir)));
        }
        if (test.message() != null && !test.message().isBlank()) {
            test.message().strip().lines().forEach(line -> wrap(line, "  ").forEach(out::add));
        }
        if (test.evidence() != null) {
            InterleavingText interleaving = new InterleavingText(style, width);
            wrap(interleaving.evidenceLine(test.evidence()), "  ").forEach(line -> out.add(style.dim(line)));
            if (test.evidence().interleaving() != null) {
                interleaving.render(test.evidence().interleaving()).forEach(out::add);
            }
        }
        threads(test, kata, out);
    }

    /**
     * The test's threads, one block per distinct stack: twenty threads stuck the same way are one
     * block that names them ("20 threads like this"), as Go's tracebacks and pprof group them.
     * Frames keep the stack's order, innermost first as Java prints them; the learner's are marked.
     * What the message above already said (the call waited on, the line) is not said again.
     */
    private void threads(TestResult test, Kata kata, Lines out) {
        Map<List<Object>, List<ThreadReport>> groups = new LinkedHashMap<>();
        for (ThreadReport t : orEmpty(test.threads())) {
            List<Object> key = Arrays.asList(t.virtual(), t.state(), t.waitingOn(), t.lockOwner(), t.location(),
                    orEmpty(t.frames()));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        String prose = test.message() == null ? "" : test.message();
        for (List<ThreadReport> group : groups.values()) {
            ThreadReport first = group.get(0);
            out.add("  " + (group.size() == 1 ? "thread " + quoted(first.name()) : group.size() + " threads like this:")
                    + threadState(first, prose));
            List<String> frames = orEmpty(first.frames());
            frames.stream().limit(FRAMES_PER_THREAD).forEach(f -> out.add(frame(f, kata)));
            if (frames.size() > FRAMES_PER_THREAD) {
                out.add(style.dim("      ... " + (frames.size() - FRAMES_PER_THREAD) + " more"));
            }
            if (group.size() > 1) {
                out.add(style.dim("      (" + names(group) + ")"));
            }
        }
    }

    private static String names(List<ThreadReport> group) {
        List<String> names = group.stream().map(t -> quoted(t.name())).toList();
        return names.size() <= 3 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    }

    private static String quoted(String name) {
        return "\"" + name + "\"";
    }

    /** {@code (virtual) WAITING on SynchronousQueue.put at AlertService.java:42}, less what {@code prose} says. */
    private String threadState(ThreadReport t, String prose) {
        StringBuilder line = new StringBuilder();
        if (t.virtual()) {
            line.append(" (virtual)");
        }
        if (t.state() != null) {
            line.append(' ').append(t.state());
        }
        if (t.waitingOn() != null && !t.waitingOn().isBlank() && !prose.contains(t.waitingOn())) {
            line.append(" on ").append(t.waitingOn());
        }
        if (t.lockOwner() != null && !t.lockOwner().isBlank() && !prose.contains(t.lockOwner())) {
            line.append(" held by \"").append(t.lockOwner()).append('"');
        }
        if (t.location() != null && !t.location().isBlank() && !prose.contains(t.location())) {
            line.append(" at ").append(style.bold(t.location()));
        }
        return line.toString();
    }

    private static final Pattern LAMBDA = Pattern.compile("^([\\w.$]*?)([\\w$]+)\\.lambda\\$(\\w+)\\$\\d+");

    /** One frame, {@code at ...}; the learner's own frames marked with an arrow and in bold. */
    private String frame(String raw, Kata kata) {
        String stripped = raw.strip();
        String f = readable(stripped.startsWith("at ") ? stripped.substring(3) : stripped);
        boolean learner = kata != null && kata.files().stream().anyMatch(file -> f.contains("(" + file + ":"));
        return learner ? "    " + style.bold(style.marks("→") + " at " + f) : style.dim("      at " + f);
    }

    /** {@code AlertService.lambda$send$0(...)} as a Java programmer names it: the lambda in AlertService.send. */
    static String readable(String frame) {
        Matcher m = LAMBDA.matcher(frame);
        if (!m.find()) {
            return frame;
        }
        String cls = m.group(2);
        String in = switch (m.group(3)) {
            case "new" -> "the constructor of " + cls;
            case "static" -> "the static initializer of " + cls;
            default -> cls + "." + m.group(3);
        };
        return "the lambda in " + in + frame.substring(m.end());
    }

    private void output(Verdict verdict, Lines out) {
        if (verdict.output() == null || verdict.output().isBlank()) {
            return;
        }
        List<String> lines = verdict.output().stripTrailing().lines().toList();
        out.blank();
        out.add(style.dim("Output of your code:"));
        lines.stream().limit(OUTPUT_LINES).forEach(line -> out.add("  " + line));
        if (lines.size() > OUTPUT_LINES) {
            out.add(style.dim("  ... " + (lines.size() - OUTPUT_LINES) + " more lines (--json shows all of it)"));
        }
    }

    /** {@code AlertService.java:42} as the path of the learner's file, when it is one of theirs. */
    String location(String location, Kata kata, Path sourceDir) {
        int colon = location.lastIndexOf(':');
        String file = colon > 0 ? location.substring(0, colon) : location;
        String rest = colon > 0 ? location.substring(colon) : "";
        if (kata.files().contains(file)) {
            return paths.show(sourceDir.resolve(file)) + rest;
        }
        return location;
    }

    private String filePath(String file, Path sourceDir) {
        if (file == null || file.isBlank()) {
            return "?";
        }
        Path path = Path.of(file);
        if (path.isAbsolute()) {
            return paths.show(path);
        }
        Path inSource = sourceDir.resolve(path.getFileName().toString());
        return Files.exists(inSource) ? paths.show(inSource) : file;
    }

    /** Breaks a long line at spaces so that it fits the width, each piece indented. */
    List<String> wrap(String line, String indent) {
        List<String> pieces = new ArrayList<>();
        String rest = line.strip();
        int room = width - indent.length();
        while (rest.length() > room) {
            int cut = rest.lastIndexOf(' ', room);
            if (cut <= 0) {
                cut = rest.indexOf(' ', room);
                if (cut < 0) {
                    break;
                }
            }
            pieces.add(indent + rest.substring(0, cut));
            rest = rest.substring(cut + 1).stripLeading();
        }
        pieces.add(indent + rest);
        return pieces;
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static final class Lines {
        private final List<String> lines = new ArrayList<>();

        void add(String line) {
            lines.add(line);
        }

        void blank() {
            if (!lines.isEmpty() && !lines.get(lines.size() - 1).isEmpty()) {
                lines.add("");
            }
        }

        String text() {
            return String.join("\n", lines) + "\n";
        }
    }

    static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
