package dev.kata.probe;

import dev.kata.probe.api.Reason;
import java.util.List;

/** A failure the probe itself found (a leak, a dead worker), with the threads that show it. */
final class DetectedFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    private final Reason reason;
    private final String location;
    private final transient List<ThreadSnapshot> threads;

    DetectedFailure(Reason reason, String message, String location, List<ThreadSnapshot> threads) {
        super(message);
        this.reason = reason;
        this.location = location;
        this.threads = List.copyOf(threads);
        setStackTrace(new StackTraceElement[0]);
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
