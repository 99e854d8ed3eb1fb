package dev.kata.probe;

import dev.kata.probe.Interleaving.Kind;
import dev.kata.probe.Interleaving.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the model checker's detailed trace (a table, one column per thread, each row one event
 * {@code "count ➜ 41 at Counter.add(Counter.java:12)"}) into an {@link Interleaving} in the
 * learner's terms: the rows on the learner's lines, the calls from the test into their code, and
 * the switches. The test's and the checker's own rows are left out.
 */
final class InterleavingReader {
    /** More steps than this are cut: the breaking part of a trace is short. */
    static final int MAX_STEPS = 40;

    private static final Pattern LOCATED = Pattern.compile("^(.*) at ([^\\s()]+)\\(([^()]*)\\)$");
    private static final Pattern READ = Pattern.compile("^[\\w.$#\\[\\]]+ ➜ .*");
    private static final Pattern WRITE = Pattern.compile("^[\\w.$#\\[\\]]+ = .*");
    private static final Pattern CONSTRUCTOR = Pattern.compile("^([\\w.$]+)\\.<init>(.*)$");

    private InterleavingReader() {
    }

    /** A row of the table: whose column it is in, how deep it is nested, what it says and where. */
    private record Row(int thread, int depth, String text, String file, String location) {
    }

    /**
     * @param learnerFile whether a source file name ({@code Counter.java}) is one of the learner's
     * @return the interleaving, or null if the message holds no trace this reader understands
     */
    static Interleaving read(String message, Predicate<String> learnerFile) {
        if (message == null) {
            return null;
        }
        int at = message.indexOf("Detailed trace:");
        if (at < 0) {
            return null;
        }
        List<String> table = new ArrayList<>();
        for (String line : message.substring(at).lines().skip(1).toList()) {
            if (!line.startsWith("|")) {
                if (!table.isEmpty()) {
                    break;
                }
                continue;
            }
            table.add(line);
        }
        if (table.size() < 4) {
            return null;
        }
        String header = table.get(1);
        List<Integer> bars = new ArrayList<>();
        for (int i = 0; i < header.length(); i++) {
            if (header.charAt(i) == '|') {
                bars.add(i);
            }
        }
        if (bars.size() < 3) {
            return null;
        }
        List<String> threads = new ArrayList<>();
        for (int c = 0; c + 1 < bars.size(); c++) {
            String name = header.substring(bars.get(c) + 1, bars.get(c + 1)).strip();
            threads.add(name.equals("Main Thread") ? "test" : name.toLowerCase(java.util.Locale.ROOT));
        }
        List<Row> rows = new ArrayList<>();
        for (String line : table.subList(3, table.size())) {
            if (line.startsWith("| ---") || line.startsWith("|---")) {
                break;
            }
            Row row = row(line, bars, learnerFile);
            if (row != null) {
                rows.add(row);
            }
        }
        List<Step> steps = steps(rows, learnerFile);
        return steps.isEmpty() ? null : new Interleaving(threads, steps);
    }

    private static Row row(String line, List<Integer> bars, Predicate<String> learnerFile) {
        for (int c = 0; c + 1 < bars.size(); c++) {
            int from = bars.get(c) + 1;
            int to = Math.min(bars.get(c + 1), line.length());
            if (from >= to) {
                continue;
            }
            String cell = line.substring(from, to);
            if (cell.isBlank()) {
                continue;
            }
            String body = cell.stripTrailing();
            int indent = body.length() - body.stripLeading().length();
            String text = body.strip();
            Matcher m = LOCATED.matcher(text);
            String file = null;
            String location = null;
            if (m.matches()) {
                text = m.group(1);
                location = m.group(3);
                int colon = location.lastIndexOf(':');
                file = colon > 0 ? location.substring(0, colon) : location;
            }
            return new Row(c, Math.max(0, (indent - 1) / 2), text, file, location);
        }
        return null;
    }

    private static List<Step> steps(List<Row> rows, Predicate<String> learnerFile) {
        List<Step> steps = new ArrayList<>();
        boolean othersBegan = false;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            boolean learner = row.file() != null && learnerFile.test(row.file());
            Step step = null;
            if (row.text().startsWith("switch")) {
                step = new Step(row.thread(), Kind.SWITCH, null, switchAction(steps, rows, i), false);
            } else if (learner) {
                if (!isNoise(row.text())) {
                    Kind kind = kindOf(row.text());
                    String action = kind == Kind.STEP && CONSTRUCTOR.matcher(tidy(row.text())).matches()
                            ? call(row.text()) : tidy(row.text());
                    step = new Step(row.thread(), kind, row.location(), action, false);
                }
            } else if (callsIntoLearner(rows, i, learnerFile)) {
                step = new Step(row.thread(), Kind.CALL, null, call(row.text()), false);
            }
            if (step == null) {
                continue;
            }
            // The test's set-up before the threads start is not part of the story.
            if (step.thread() != 0 && step.kind() != Kind.SWITCH) {
                othersBegan = true;
            }
            if (!othersBegan && step.thread() == 0) {
                continue;
            }
            steps.add(step);
        }
        return markBreaking(dropIdleSwitches(steps));
    }

    /**
     * {@code switch}, or {@code switch inside line 35} when the thread was stopped in the middle of
     * a call its last learner line made (a map's put, say), whose inner steps are not shown.
     */
    private static String switchAction(List<Step> steps, List<Row> rows, int i) {
        Row row = rows.get(i);
        for (int j = i - 1; j >= 0; j--) {
            Row enclosing = rows.get(j);
            if (enclosing.thread() != row.thread() || enclosing.depth() >= row.depth()) {
                continue;
            }
            Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
            boolean shown = last != null && last.thread() == row.thread() && enclosing.location() != null
                    && enclosing.location().equals(last.location()) && last.kind() != Kind.CALL;
            return shown ? "switch inside line " + line(enclosing.location()) : "switch";
        }
        return "switch";
    }

    private static String line(String location) {
        int colon = location.lastIndexOf(':');
        return colon > 0 ? location.substring(colon + 1) : location;
    }

    /** The row that follows in the same thread is one level deeper and on the learner's lines. */
    private static boolean callsIntoLearner(List<Row> rows, int i, Predicate<String> learnerFile) {
        Row row = rows.get(i);
        for (int j = i + 1; j < rows.size(); j++) {
            Row next = rows.get(j);
            if (next.thread() != row.thread()) {
                continue;
            }
            return next.depth() == row.depth() + 1 && next.file() != null && learnerFile.test(next.file())
                    && !isNoise(next.text());
        }
        return false;
    }

    /** Switches with no learner step of the same thread before them, and repeated ones, say nothing. */
    private static List<Step> dropIdleSwitches(List<Step> steps) {
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.kind() == Kind.SWITCH) {
                Step last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last == null || last.kind() == Kind.SWITCH || last.thread() != s.thread()) {
                    continue;
                }
            }
            out.add(s);
        }
        while (!out.isEmpty() && out.get(out.size() - 1).kind() == Kind.SWITCH) {
            out.remove(out.size() - 1);
        }
        if (out.size() > MAX_STEPS) {
            return new ArrayList<>(out.subList(0, MAX_STEPS));
        }
        return out;
    }

    /** The first switch that leaves its thread in the middle of the learner's code: it goes on after it. */
    private static List<Step> markBreaking(List<Step> steps) {
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.kind() != Kind.SWITCH) {
                continue;
            }
            for (int j = i + 1; j < steps.size(); j++) {
                Step later = steps.get(j);
                if (later.thread() == s.thread()) {
                    if (later.kind() != Kind.CALL && later.kind() != Kind.SWITCH) {
                        steps.set(i, new Step(s.thread(), Kind.SWITCH, null, s.action(), true));
                        return steps;
                    }
                    break;
                }
            }
        }
        // Otherwise the first switch: the one that let the other thread in.
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.kind() == Kind.SWITCH) {
                steps.set(i, new Step(s.thread(), Kind.SWITCH, null, s.action(), true));
                break;
            }
        }
        return steps;
    }

    private static boolean isNoise(String text) {
        return text.startsWith("Object.<init>()") || text.startsWith("Record.<init>()") || text.startsWith("Enum.<init>(");
    }

    private static Kind kindOf(String text) {
        if (READ.matcher(text).matches()) {
            return Kind.READ;
        }
        if (WRITE.matcher(text).matches()) {
            return Kind.WRITE;
        }
        return Kind.STEP;
    }

    /** {@code count ➜ 41} reads as {@code count -> 41}, in any terminal. */
    private static String tidy(String text) {
        return text.replace("➜", "->");
    }

    /** {@code stats.recordBatch(Batch#1)} as {@code recordBatch(Batch#1)}; a constructor as {@code new X(...)}. */
    private static String call(String text) {
        String t = tidy(text);
        Matcher c = CONSTRUCTOR.matcher(t);
        if (c.matches()) {
            String cls = c.group(1);
            return "new " + cls.substring(cls.lastIndexOf('.') + 1) + c.group(2);
        }
        int paren = t.indexOf('(');
        int dot = paren < 0 ? -1 : t.lastIndexOf('.', paren);
        return dot >= 0 ? t.substring(dot + 1) : t;
    }
}
