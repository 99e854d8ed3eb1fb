package dev.kata.probe;

import java.util.List;
import java.util.Map;

/**
 * One thread as the grader reports it: identity, state, what it waits on, where it is in the
 * learner's code ({@code location}, such as {@code AlertService.java:42}) and its frames,
 * learner frames first.
 */
record ThreadSnapshot(
        long id,
        String name,
        boolean virtual,
        Thread.State state,
        String waitingOn,
        String lockOwner,
        String location,
        List<String> frames,
        String signature) {

    Map<String, Object> toJson() {
        Map<String, Object> m = Json.object();
        m.put("name", name);
        m.put("virtual", virtual);
        m.put("state", state.name());
        m.put("waitingOn", waitingOn);
        m.put("lockOwner", lockOwner);
        m.put("location", location);
        m.put("frames", frames);
        return m;
    }

    String describe() {
        StringBuilder s = new StringBuilder();
        s.append('"').append(name.isEmpty() ? "#" + id : name).append('"');
        if (virtual) {
            s.append(" (virtual)");
        }
        s.append(' ').append(state);
        if (waitingOn != null) {
            s.append(" in ").append(waitingOn);
        }
        if (lockOwner != null) {
            s.append(", held by \"").append(lockOwner).append('"');
        }
        if (location != null) {
            s.append(" at ").append(location);
        }
        return s.toString();
    }
}
