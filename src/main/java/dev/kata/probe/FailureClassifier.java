package dev.kata.probe;

import dev.kata.probe.api.PitfallFailure;
import dev.kata.probe.api.Reason;
import java.util.List;

/** Says why a test failed, in the learner's terms, from what it threw. */
final class FailureClassifier {
    /**
     * Reason, message, the learner's line and any threads that show the failure; {@code evidence}
     * (may be null) says what the failure rests on (a model-checked interleaving, a stress run).
     */
    record Failure(Reason reason, String message, String location, List<ThreadSnapshot> threads,
            java.util.Map<String, Object> evidence) {
        Failure(Reason reason, String message, String location, List<ThreadSnapshot> threads) {
            this(reason, message, location, threads, null);
        }
    }

    private FailureClassifier() {
    }

    static Failure classify(Throwable error, ThreadDescriber describer) {
        if (error instanceof DetectedFailure d) {
            return new Failure(d.reason(), d.getMessage(), d.location(), d.threads(), d.evidence());
        }
        if (ModelCheckedFailure.is(error)) {
            return ModelCheckedFailure.classify(error, describer);
        }
        String location = learnerLocation(error, describer);
        if (error instanceof PitfallFailure p) {
            return new Failure(p.reason(), p.getMessage(), location, List.of());
        }
        DetectedFailure cause = detectedAfterwards(error);
        if (cause != null) {
            String seen = error instanceof AssertionError && error.getMessage() != null ? error.getMessage() : describe(error);
            return new Failure(cause.reason(), cause.getMessage() + " The test had failed first: " + seen
                    + (seen.endsWith(".") ? "" : "."),
                    cause.location() != null ? cause.location() : location, cause.threads(), cause.evidence());
        }
        if (error instanceof OutOfMemoryError) {
            return new Failure(Reason.OUT_OF_MEMORY, describe(error), location, List.of());
        }
        if (error instanceof AssertionError) {
            return new Failure(Reason.TEST_FAILURE, error.getMessage() == null ? "assertion failed" : error.getMessage(),
                    location, List.of());
        }
        return new Failure(Reason.EXCEPTION, describe(error), location, List.of());
    }

    /**
     * What the probe found once the test had failed (a race, a worker thread that died), which
     * JUnit adds to the test's own failure as a suppressed exception. A plain exception or a
     * failed assertion is often what such a cause leads to (an entry a racing map lost, a result
     * a dead worker never delivered), so the cause is the verdict and the test's failure follows.
     */
    private static DetectedFailure detectedAfterwards(Throwable error) {
        for (Throwable suppressed : error.getSuppressed()) {
            if (suppressed instanceof DetectedFailure d
                    && (d.reason() == Reason.RACE || d.reason() == Reason.WORKER_EXCEPTION)) {
                return d;
            }
        }
        return null;
    }

    /** {@code IllegalStateException: no gateway}, with its causes. */
    static String describe(Throwable error) {
        StringBuilder s = new StringBuilder();
        for (Throwable t : Causes.of(error).stream().limit(4).toList()) {
            if (t != error) {
                s.append(", caused by ");
            }
            s.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                s.append(": ").append(t.getMessage());
            }
        }
        return s.toString();
    }

    /** The first learner frame of the error or of any of its causes. */
    static String learnerLocation(Throwable error, ThreadDescriber describer) {
        for (Throwable t : Causes.of(error)) {
            String loc = describer.location(t.getStackTrace());
            if (loc != null) {
                return loc;
            }
        }
        return null;
    }
}
