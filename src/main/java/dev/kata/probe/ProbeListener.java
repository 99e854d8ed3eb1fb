package dev.kata.probe;

import dev.kata.probe.api.NotModelChecked;
import dev.kata.probe.api.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/** Writes the test plan and each test's start and end to the event log. */
final class ProbeListener implements TestExecutionListener {
    private final EventLog events;
    private final ThreadDescriber describer;

    ProbeListener(EventLog events, ThreadDescriber describer) {
        this.events = events;
        this.describer = describer;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        List<Map<String, Object>> tests = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            collect(plan, root, tests);
        }
        Map<String, Object> e = Json.object();
        e.put("event", "plan");
        e.put("tests", tests);
        events.write(e);
    }

    private static void collect(TestPlan plan, TestIdentifier id, List<Map<String, Object>> out) {
        if (id.isTest()) {
            Map<String, Object> t = Json.object();
            t.put("id", id.getUniqueId());
            t.put("name", id.getDisplayName());
            out.add(t);
        }
        for (TestIdentifier child : plan.getChildren(id)) {
            collect(plan, child, out);
        }
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (!id.isTest()) {
            id.getSource().filter(ClassSource.class::isInstance)
                    .ifPresent(source -> ModelCheckerAgent.classStarting(((ClassSource) source).getClassName()));
            return;
        }
        Probe.current = new TestRun(id.getUniqueId(), id.getDisplayName(), Probe.defaultTimeoutMs);
        Map<String, Object> e = Json.object();
        e.put("event", "started");
        e.put("id", id.getUniqueId());
        e.put("name", id.getDisplayName());
        events.write(e);
    }

    /** A model-checked test not run (see {@link ModelCheckerReach}) is reported with why; other skips are not. */
    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (!id.isTest() || reason == null || !reason.equals(Probe.notModelCheckedWhy)) {
            return;
        }
        Map<String, Object> e = Json.object();
        e.put("event", "finished");
        e.put("id", id.getUniqueId());
        e.put("name", id.getDisplayName());
        e.put("container", false);
        e.put("durationMs", 0);
        e.put("status", "skipped");
        e.put("reason", Reason.NOT_RUN.id());
        e.put("message", reason);
        events.write(e);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        TestRun run = Probe.current;
        long duration = run == null || !id.isTest() ? 0 : run.elapsedMs();
        if (id.isTest()) {
            Probe.current = null;
            Probe.failedOnce |= result.getStatus() != TestExecutionResult.Status.SUCCESSFUL;
        } else if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
            return;
        }
        Map<String, Object> e = Json.object();
        e.put("event", "finished");
        e.put("id", id.getUniqueId());
        e.put("name", id.getDisplayName());
        e.put("container", !id.isTest());
        e.put("durationMs", duration);
        switch (result.getStatus()) {
            case SUCCESSFUL -> e.put("status", "passed");
            case ABORTED -> {
                // a model-checked test the checker could not carry out, its scenario passed on real threads
                boolean notModelChecked = result.getThrowable().filter(NotModelChecked.class::isInstance).isPresent();
                e.put("status", notModelChecked ? "skipped" : "failed");
                e.put("reason", Reason.NOT_RUN.id());
                e.put("message", result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
            }
            case FAILED -> {
                FailureClassifier.Failure f = FailureClassifier.classify(
                        result.getThrowable().orElse(new AssertionError("failed")), describer);
                e.put("status", "failed");
                e.put("reason", f.reason().id());
                e.put("message", f.message());
                List<ThreadSnapshot> threads = f.threads();
                if (threads.isEmpty() && run != null && id.isTest()) {
                    threads = run.leftRunning;
                }
                e.put("location", f.location() != null ? f.location()
                        : f.reason() == Reason.RESOURCE_LEAK && run != null && run.leakedFileLine != null ? run.leakedFileLine
                        : Probe.firstLocation(threads));
                e.put("threads", threads.stream().map(ThreadSnapshot::toJson).toList());
                Map<String, Object> evidence = f.evidence() != null ? f.evidence()
                        : StressEvidence.of(result.getThrowable().orElse(null), f.reason(), run);
                if (evidence != null) {
                    e.put("evidence", evidence);
                }
            }
        }
        events.write(e);
    }
}
