package dev.kata.render;

import dev.kata.workspace.KataState;
import dev.kata.workspace.ProgressStatus;
import java.util.List;
import java.util.Optional;

/** How a kata's status looks in lists, and which kata comes next. */
final class StatusMarks {
    private StatusMarks() {
    }

    static String mark(Style style, ProgressStatus status) {
        return switch (status) {
            case PASSED -> style.passMark();
            case IN_PROGRESS -> style.yellow(style.marks("▸"));
            case NOT_STARTED -> style.dim(style.marks("·"));
        };
    }

    static String label(Style style, ProgressStatus status) {
        String text = status.id().replace('-', ' ');
        return switch (status) {
            case PASSED -> style.green(text);
            case IN_PROGRESS -> style.yellow(text);
            case NOT_STARTED -> style.dim(text);
        };
    }

    static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    /** The line saying what to do next: check the first unfinished kata, or start it. */
    static String next(Style style, List<KataState> states) {
        Optional<KataState> next = states.stream().filter(s -> s.status() != ProgressStatus.PASSED).findFirst();
        if (next.isEmpty()) {
            return style.green(states.size() == 1 ? "The kata passed." : "All " + states.size() + " katas passed.");
        }
        String id = next.get().kata().id();
        return next.get().status() == ProgressStatus.IN_PROGRESS
                ? "Next: " + style.bold("kata check " + id) + " when your fix is ready"
                : "Next: " + style.bold("kata start " + id);
    }

    static long count(List<KataState> states, ProgressStatus status) {
        return states.stream().filter(s -> s.status() == status).count();
    }
}
