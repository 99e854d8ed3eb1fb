package dev.kata.probe;

import dev.kata.probe.api.PitfallFailure;
import dev.kata.probe.api.Reason;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A failure the model checker (Lincheck) reported: the test's own assertion, or the exception, that
 * one interleaving led to, and that interleaving. Its error carries the whole trace in its message
 * (tens of kilobytes); the verdict gets the test's message and the learner's steps instead.
 */
public final class ModelCheckedFailure {
    static final String ERROR_CLASS = "org.jetbrains.lincheck.LincheckAssertionError";
    private static final String HEADER = "= Concurrent test failed =";

    private ModelCheckedFailure() {
    }

    /** Whether {@code error} is a failure the model checker found (its assertion error). */
    public static boolean is(Throwable error) {
        return error != null && error.getClass().getName().equals(ERROR_CLASS);
    }

    static FailureClassifier.Failure classify(Throwable error, ThreadDescriber describer) {
        String text = error.getMessage() == null ? "" : error.getMessage();
        Interleaving interleaving = InterleavingReader.read(text, describer::isLearnerFile);
        Throwable cause = causeOf(error);
        boolean deadlock = (text.contains("deadlock") || text.contains("= Concurrent test has hung ="))
                && !(cause instanceof PitfallFailure);
        List<ModelCheckedDeadlock.Link> cycle = deadlock ? ModelCheckedDeadlock.cycle(interleaving, Probe.sources) : List.of();
        Reason reason = deadlock ? Reason.DEADLOCK
                : cause instanceof PitfallFailure p ? p.reason()
                : cause == null || cause instanceof AssertionError ? Reason.TEST_FAILURE
                : Reason.EXCEPTION;
        String message;
        if (deadlock) {
            message = cycle.isEmpty()
                    ? "in the interleaving below, the threads never finish: each waits for something only another"
                            + " of them could do"
                    : ModelCheckedDeadlock.describe(cycle);
        } else if (cause != null) {
            message = cause instanceof AssertionError && cause.getMessage() != null ? cause.getMessage()
                    : FailureClassifier.describe(cause);
        } else {
            message = firstLines(text);
        }
        String location = cause == null || cause instanceof AssertionError ? null
                : FailureClassifier.learnerLocation(cause, describer);
        if (location == null && interleaving != null) {
            location = interleaving.breakingLocation();
        }
        Map<String, Object> evidence = Json.object();
        evidence.put("kind", "model-checked");
        evidence.put("detail", "the model checker tried the interleavings of the threads' steps and found one that breaks it;"
                + " it finds it on every run");
        evidence.put("interleaving", interleaving == null ? null : interleaving.toJson());
        if (!cycle.isEmpty()) {
            evidence.put("lockCycle", cycle.stream().map(ModelCheckedDeadlock.Link::toJson).toList());
        }
        return new FailureClassifier.Failure(reason, message, location, List.of(), evidence);
    }

    /**
     * The exception the failing interleaving ended with, found in the checker's failure object
     * (its results hold it); null if it holds none, as for a deadlock.
     */
    public static Throwable causeOf(Throwable error) {
        try {
            Object failure = error.getClass().getMethod("getFailure$lincheck").invoke(error);
            return find(failure, 0, new IdentityHashMap<>());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static Throwable find(Object node, int depth, IdentityHashMap<Object, Boolean> seen) {
        if (node == null || depth > 6 || seen.put(node, Boolean.TRUE) != null) {
            return null;
        }
        if (node instanceof Throwable t) {
            return t;
        }
        if (node instanceof Iterable<?> items) {
            for (Object item : items) {
                Throwable t = find(item, depth + 1, seen);
                if (t != null) {
                    return t;
                }
            }
            return null;
        }
        if (node.getClass().isArray() || !node.getClass().getName().startsWith("org.jetbrains.")) {
            return null;
        }
        for (Class<?> c = node.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive() || f.getName().equals("trace")) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    Throwable t = find(f.get(node), depth + 1, seen);
                    if (t != null) {
                        return t;
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // a field we may not read: look elsewhere
                }
            }
        }
        return null;
    }

    /** The checker's own headline, without its tables: for failures this class does not know. */
    private static String firstLines(String text) {
        String t = text.replace(HEADER, "").strip();
        int table = t.indexOf("\n|");
        if (table > 0) {
            t = t.substring(0, table);
        }
        int trace = t.indexOf("\n\tat ");
        if (trace > 0) {
            t = t.substring(0, trace);
        }
        return t.strip();
    }
}
