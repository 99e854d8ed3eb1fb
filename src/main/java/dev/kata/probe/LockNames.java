package dev.kata.probe;

import dev.kata.probe.Interleaving.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the locks of a model-checked interleaving by the objects they belong to, the way the
 * learner would: {@code source.lock} taken by the thread whose {@code source} is the account it got
 * from {@code accounts.get("bob")} is {@code accounts["bob"].lock}. Two threads each taking
 * {@code source.lock} hold different locks; the name must say which.
 */
final class LockNames {
    /** A call that returned an object: {@code account("bob"): Account#2}. */
    private static final Pattern RETURNED = Pattern.compile("^(.*): (\\w+#\\d+)$");
    /** A lookup in a map or list: {@code accounts.get("bob"): Account#2}. */
    private static final Pattern LOOKUP = Pattern.compile("^([\\w.]+)\\.get\\((.*)\\): (\\w+#\\d+)$");
    /** The variable a line assigns: {@code Account source = account(from);}. */
    private static final Pattern ASSIGNED = Pattern.compile("^\\s*(?:[\\w<>\\[\\],.? ]+\\s+)?(\\w+)\\s*=[^=]");

    /** A variable of one thread set to an object at a step. */
    private record Assignment(int thread, int step, String variable, String object) {
    }

    private final List<Step> steps;
    private final Map<String, String> objectNames = new HashMap<>();
    private final List<Assignment> assignments = new ArrayList<>();

    private LockNames(Interleaving interleaving, LearnerSources sources) {
        this.steps = interleaving.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            Matcher lookup = LOOKUP.matcher(s.action());
            if (lookup.matches()) {
                objectNames.putIfAbsent(lookup.group(3), lookup.group(1) + "[" + lookup.group(2) + "]");
            }
            Matcher returned = RETURNED.matcher(s.action());
            String line = returned.matches() ? sources.line(s.location()) : null;
            Matcher assigned = line == null ? null : ASSIGNED.matcher(line);
            if (assigned != null && assigned.find()) {
                assignments.add(new Assignment(s.thread(), i, assigned.group(1), returned.group(2)));
            }
        }
    }

    static LockNames of(Interleaving interleaving, LearnerSources sources) {
        return new LockNames(interleaving, sources);
    }

    /**
     * The lock {@code expression} (as the learner's line wrote it, {@code source.lock}) that
     * {@code step} took: named by the object its variable held then ({@code accounts["bob"].lock},
     * else {@code Account#2.lock}), or the expression itself when that is not known.
     */
    String name(Step step, String expression) {
        int dot = expression.indexOf('.');
        String variable = dot < 0 ? expression : expression.substring(0, dot);
        int at = 0;
        while (at < steps.size() && steps.get(at) != step) { // by identity: a loop repeats equal steps
            at++;
        }
        String object = null;
        for (Assignment a : assignments) {
            if (a.thread() == step.thread() && a.step() < at && a.variable().equals(variable)) {
                object = a.object();
            }
        }
        if (object == null) {
            return expression;
        }
        return objectNames.getOrDefault(object, object) + (dot < 0 ? "" : expression.substring(dot));
    }
}
