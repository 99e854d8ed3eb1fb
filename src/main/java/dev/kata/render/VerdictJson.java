package dev.kata.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kata.grader.CompileDiagnostic;
import dev.kata.grader.Evidence;
import dev.kata.grader.VerdictReasons;
import dev.kata.grader.TestResult;
import dev.kata.grader.ThreadReport;
import dev.kata.grader.Verdict;
import dev.kata.probe.api.Reason;

import static dev.kata.render.VerdictText.orEmpty;

/** A verdict for scripts: {@code kata check ID --json}. Enums appear as their contract ids ({@code compile-error}). */
public final class VerdictJson {
    private VerdictJson() {
    }

    public static String render(Verdict verdict) {
        return Json.write(tree(verdict));
    }

    public static ObjectNode tree(Verdict verdict) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("kata", verdict.kataId());
        root.put("status", verdict.status().id());
        root.put("reason", id(verdict.reason()));
        root.put("summary", verdict.summary());
        root.put("durationMs", verdict.durationMs());
        TestResult deciding = verdict.passed() ? null : VerdictReasons.deciding(orEmpty(verdict.tests()));
        Evidence decidingEvidence = deciding == null ? null : deciding.evidence();
        root.put("evidence", decidingEvidence == null ? null : decidingEvidence.kind().id());
        ArrayNode diagnostics = root.putArray("diagnostics");
        for (CompileDiagnostic d : orEmpty(verdict.diagnostics())) {
            ObjectNode node = diagnostics.addObject();
            node.put("file", d.file());
            node.put("line", d.line());
            node.put("column", d.column());
            node.put("message", d.message());
            node.put("sourceLine", d.sourceLine());
        }
        ArrayNode tests = root.putArray("tests");
        for (TestResult t : orEmpty(verdict.tests())) {
            ObjectNode node = tests.addObject();
            node.put("id", t.id());
            node.put("name", t.name());
            node.put("status", t.status().id());
            node.put("reason", id(t.reason()));
            node.put("message", t.message());
            node.put("location", t.location());
            ArrayNode threads = node.putArray("threads");
            for (ThreadReport r : orEmpty(t.threads())) {
                ObjectNode thread = threads.addObject();
                thread.put("name", r.name());
                thread.put("virtual", r.virtual());
                thread.put("state", r.state());
                thread.put("waitingOn", r.waitingOn());
                thread.put("lockOwner", r.lockOwner());
                thread.put("location", r.location());
                ArrayNode frames = thread.putArray("frames");
                orEmpty(r.frames()).forEach(frames::add);
            }
            node.put("durationMs", t.durationMs());
            node.set("evidence", evidence(t.evidence()));
        }
        root.put("output", verdict.output());
        return root;
    }

    /** What a failure rests on, with the model-checked interleaving's steps. */
    private static ObjectNode evidence(Evidence evidence) {
        if (evidence == null) {
            return null;
        }
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("kind", evidence.kind().id());
        node.put("detail", evidence.detail());
        if (evidence.kind() == Evidence.Kind.STRESS) {
            node.put("threads", evidence.threads());
            node.put("rounds", evidence.rounds());
        }
        Evidence.Interleaving interleaving = evidence.interleaving();
        if (interleaving != null) {
            ObjectNode i = node.putObject("interleaving");
            ArrayNode threads = i.putArray("threads");
            interleaving.threads().forEach(threads::add);
            ArrayNode steps = i.putArray("steps");
            for (Evidence.Step s : interleaving.steps()) {
                ObjectNode step = steps.addObject();
                step.put("thread", s.thread());
                step.put("kind", s.kind());
                step.put("location", s.location());
                step.put("action", s.action());
                step.put("breaking", s.breaking());
            }
        }
        return node;
    }

    private static String id(Reason reason) {
        return reason == null ? null : reason.id();
    }
}
