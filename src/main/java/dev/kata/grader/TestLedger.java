package dev.kata.grader;

import dev.kata.probe.api.Reason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hidden tests' outcomes, gathered across however many test JVMs the check needed: the plan
 * from the first, then each result as it arrives. Knows which tests are still to run.
 */
final class TestLedger {
    private final Map<String, String> plan = new LinkedHashMap<>();
    private final Map<String, TestResult> results = new LinkedHashMap<>();
    private final Map<String, TestResult> containerFailures = new LinkedHashMap<>();
    private String running;
    private boolean planned;

    void accept(ProbeEvent e, CheckListener listener) {
        switch (e.type()) {
            case "plan" -> {
                if (!planned) {
                    e.json().path("tests").forEach(t -> plan.put(t.path("id").asText(), t.path("name").asText()));
                    planned = true;
                }
            }
            case "started" -> {
                running = e.id();
                listener.testStarted(TestNames.readable(e.name()));
            }
            case "finished" -> {
                TestResult r = e.toResult();
                if (e.container()) {
                    containerFailures.put(e.id(), r);
                } else {
                    record(r, listener);
                }
            }
            case "fatal" -> {
                if (e.id() != null) {
                    record(e.toResult(), listener);
                } else {
                    containerFailures.put("", e.toResult());
                }
            }
            default -> {
                // "done" and anything newer: nothing to record
            }
        }
    }

    private void record(TestResult r, CheckListener listener) {
        results.put(r.id(), r);
        if (r.id().equals(running)) {
            running = null;
        }
        listener.testFinished(r);
    }

    /** The test that started and has not finished: the one a dead JVM was running. */
    String running() {
        return running;
    }

    String nameOf(String id) {
        return TestNames.readable(plan.getOrDefault(id, id));
    }

    /** Marks the running test as failed for a reason found outside the test JVM. */
    void failRunning(Reason reason, String message, CheckListener listener) {
        endRunning(Status.FAIL, reason, message, listener);
    }

    /** Ends the running test with {@code status} (failed, or inconclusive) for a reason found outside the test JVM. */
    void endRunning(Status status, Reason reason, String message, CheckListener listener) {
        if (running != null) {
            record(new TestResult(running, nameOf(running), status, reason, message, null, List.of(), 0), listener);
        }
    }

    boolean planned() {
        return planned;
    }

    Set<String> done() {
        return results.keySet();
    }

    boolean complete() {
        return planned && results.keySet().containsAll(plan.keySet());
    }

    /** Every planned test's result, in plan order; tests never reached say why. */
    List<TestResult> results(String notRunMessage) {
        List<TestResult> out = new ArrayList<>();
        for (Map.Entry<String, String> t : plan.entrySet()) {
            TestResult r = results.get(t.getKey());
            if (r == null) {
                r = fromContainer(t.getKey(), t.getValue());
            }
            if (r == null) {
                r = new TestResult(t.getKey(), TestNames.readable(t.getValue()), Status.FAIL, Reason.NOT_RUN,
                        notRunMessage, null, List.of(), 0);
            }
            out.add(r);
        }
        return out;
    }

    /** A test that never ran because its class (or setup) failed gets that failure. */
    private TestResult fromContainer(String id, String name) {
        for (Map.Entry<String, TestResult> c : containerFailures.entrySet()) {
            if (id.startsWith(c.getKey())) {
                TestResult f = c.getValue();
                return new TestResult(id, TestNames.readable(name), Status.FAIL, f.reason(), f.message(), f.location(),
                        f.threads(), 0);
            }
        }
        return null;
    }

    /** A failure of the whole run that no planned test carries (the test class itself failed). */
    TestResult orphanFailure() {
        return plan.isEmpty() && !containerFailures.isEmpty() ? containerFailures.values().iterator().next() : null;
    }
}
