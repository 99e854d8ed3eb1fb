package dev.kata.render;

import dev.kata.grader.Evidence;
import dev.kata.grader.Evidence.Interleaving;
import dev.kata.grader.Evidence.Step;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An interleaving as the learner reads it: one column per thread, one numbered row per step on
 * their lines ({@code 25: count -> 41}, {@code 25: count = 42}), and a line across for each switch
 * between threads, the one that breaks the code marked. Fits the given width.
 */
final class InterleavingText {
    private static final String INDENT = "  ";
    private static final int NUMBER = 4;

    private final Style style;
    private final int width;

    InterleavingText(Style style, int width) {
        this.style = style;
        this.width = width;
    }

    /** What the failure rests on, in one line. */
    String evidenceLine(Evidence evidence) {
        return switch (evidence.kind()) {
            case MODEL_CHECKED -> "Evidence: model-checked. The interleaving below breaks your code; it is found on every"
                    + " run, whatever the machine.";
            case STRESS -> "Evidence: stress, " + (evidence.detail() == null ? "seen on this run" : evidence.detail()) + ".";
            case RACE_DETECTOR -> "Evidence: race detector. Both accesses were seen on this run, and nothing that"
                    + " orders them: a race whatever values they read.";
            case ORDERED_SCENARIO -> "Evidence: an ordered scenario. The test itself made the steps happen in the"
                    + " order that breaks your code, so it fails this way on every run.";
        };
    }

    List<String> render(Interleaving interleaving) {
        List<String> out = new ArrayList<>();
        List<Step> steps = interleaving.steps();
        List<Integer> columns = new ArrayList<>();
        for (Step s : steps) {
            if (!s.kind().equals("switch") && !columns.contains(s.thread())) {
                columns.add(s.thread());
            }
        }
        if (columns.isEmpty()) {
            return out;
        }
        columns.sort(null);
        Set<String> files = new LinkedHashSet<>();
        for (Step s : steps) {
            if (s.location() != null) {
                files.add(file(s.location()));
            }
        }
        boolean oneFile = files.size() == 1;
        int room = width - INDENT.length() - NUMBER;
        int column = Math.max(16, room / columns.size());
        out.add(INDENT + fit("The steps that break it" + (oneFile ? ", on the lines of " + files.iterator().next() : "")
                + " (reads ->, writes =):", width - INDENT.length()));
        StringBuilder header = new StringBuilder(INDENT).append(" ".repeat(NUMBER));
        for (int c : columns) {
            header.append(pad(name(interleaving, c), column));
        }
        out.add(style.bold(header.toString().stripTrailing()));
        int n = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.kind().equals("switch")) {
                out.add(switchLine(interleaving, s, next(steps, i), columns, column));
                continue;
            }
            n++;
            StringBuilder line = new StringBuilder(INDENT).append(pad(String.format("%3d", n), NUMBER));
            int at = columns.indexOf(s.thread());
            line.append(" ".repeat(at * column));
            line.append(fit(cell(s, oneFile), at == columns.size() - 1 ? room - at * column : column - 1));
            out.add(line.toString().stripTrailing());
        }
        return out;
    }

    private String switchLine(Interleaving interleaving, Step s, Step next, List<Integer> columns, int column) {
        String to = next == null ? "" : ", " + name(interleaving, next.thread()) + " runs";
        String where = s.action() != null && s.action().startsWith("switch inside line ")
                ? " stops inside the call on line " + s.action().substring("switch inside line ".length())
                : " stops here";
        String text = "~ switch: " + name(interleaving, s.thread()) + where + to
                + (s.breaking() ? "  <- the switch that breaks it" : "") + " ~";
        int at = columns.indexOf(s.thread());
        String line = INDENT + " ".repeat(NUMBER) + " ".repeat(Math.max(0, at) * column);
        if (line.length() + text.length() > width) {
            line = INDENT + " ".repeat(NUMBER);
        }
        String body = fit(text, width - line.length());
        return line + (s.breaking() ? style.red(body) : style.dim(body));
    }

    private static Step next(List<Step> steps, int i) {
        for (int j = i + 1; j < steps.size(); j++) {
            if (!steps.get(j).kind().equals("switch")) {
                return steps.get(j);
            }
        }
        return null;
    }

    private static String cell(Step s, boolean oneFile) {
        if (s.kind().equals("call")) {
            return "calls " + s.action();
        }
        if (s.location() == null) {
            return "  " + s.action();
        }
        String where = oneFile ? line(s.location()) : s.location();
        return "  " + where + ": " + s.action();
    }

    private static String name(Interleaving interleaving, int thread) {
        List<String> names = interleaving.threads();
        return thread >= 0 && thread < names.size() ? names.get(thread) : "thread " + thread;
    }

    private static String file(String location) {
        int colon = location.lastIndexOf(':');
        return colon > 0 ? location.substring(0, colon) : location;
    }

    private static String line(String location) {
        int colon = location.lastIndexOf(':');
        return colon > 0 ? location.substring(colon + 1) : location;
    }

    private static String pad(String text, int to) {
        return text.length() >= to ? text + " " : text + " ".repeat(to - text.length());
    }

    private static String fit(String text, int room) {
        if (room < 4 || text.length() <= room) {
            return text;
        }
        return text.substring(0, room - 3) + "...";
    }
}
