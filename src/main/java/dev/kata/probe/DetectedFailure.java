package dev.kata.probe;

import dev.kata.probe.api.Reason;
import java.util.List;

/** A failure the probe itself found (a leak, a dead worker), with the threads that show it. */
final class DetectedFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final Reason reason;
    private final String location;
    private final transient List<ThreadSnapshot> threads;

    private final transient java.util.Map<String, Object> evidence;

    DetectedFailure(Reason reason, String message, String location, List<ThreadSnapshot> threads) {
        this(reason, message, location, threads, null);
    }

    /** With {@code evidence}: what the failure rests on, as the probe's events carry it. */
    DetectedFailure(Reason reason, String message, String location, List<ThreadSnapshot> threads,
            java.util.Map<String, Object> evidence) {
        super(message);
        this.reason = reason;
        this.location = location;
        this.threads = List.copyOf(threads);
        this.evidence = evidence;
        setStackTrace(new StackTraceElement[0]);
    }

    java.util.Map<String, Object> evidence() {
        return evidence;
    }

    Reason reason() {
        return reason;
    }

    String location() {
        return location;
    }

    List<ThreadSnapshot> threads() {
        return threads;
    }
}
