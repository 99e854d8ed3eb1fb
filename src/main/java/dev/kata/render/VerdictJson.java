package dev.kata.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kata.grader.CompileDiagnostic;
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
        }
        root.put("output", verdict.output());
        return root;
    }

    private static String id(Reason reason) {
        return reason == null ? null : reason.id();
    }
}
