package dev.kata.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The order of steps, across threads, that breaks the learner's code, as the model checker found
 * it: only the learner's own lines, what each read or wrote, the calls into their code, and the
 * switches between threads. {@code threads} names the columns, the test's own thread first.
 */
record Interleaving(List<String> threads, List<Step> steps) {

    enum Kind { CALL, READ, WRITE, STEP, SWITCH }

    /**
     * One step: {@code location} is the learner's {@code File.java:line} (null for a call into
     * their code and for a switch); {@code breaking} marks the switch that let the other thread in
     * between two steps that belong together.
     */
    record Step(int thread, Kind kind, String location, String action, boolean breaking) {
        Map<String, Object> toJson() {
            Map<String, Object> m = Json.object();
            m.put("thread", thread);
            m.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
            m.put("location", location);
            m.put("action", action);
            m.put("breaking", breaking);
            return m;
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = Json.object();
        m.put("threads", threads);
        List<Object> out = new ArrayList<>();
        steps.forEach(s -> out.add(s.toJson()));
        m.put("steps", out);
        return m;
    }

    /** The learner's line just before the breaking switch: where the interrupted thread was. */
    String breakingLocation() {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).breaking()) {
                for (int j = i - 1; j >= 0; j--) {
                    Step s = steps.get(j);
                    if (s.thread() == steps.get(i).thread() && s.location() != null) {
                        return s.location();
                    }
                }
            }
        }
        return steps.stream().map(Step::location).filter(l -> l != null).findFirst().orElse(null);
    }
}
