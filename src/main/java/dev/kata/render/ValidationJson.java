package dev.kata.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kata.validate.KataValidation;
import dev.kata.validate.MutationReport;
import dev.kata.validate.VariantResult;
import java.util.List;

/** {@code kata validate --json}: one object per kata, with each variant's verdicts over the runs. */
public final class ValidationJson {
    private ValidationJson() {
    }

    public static String render(List<KataValidation> validations, long durationMs) {
        return render(validations, List.of(), durationMs);
    }

    /** @param packProblems problems of the pack as a whole (a kata folder no track lists) */
    public static String render(List<KataValidation> validations, List<String> packProblems, long durationMs) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("ok", packProblems.isEmpty() && validations.stream().allMatch(KataValidation::ok));
        root.put("durationMs", durationMs);
        ArrayNode packArray = root.putArray("problems");
        packProblems.forEach(packArray::add);
        ArrayNode katas = root.putArray("katas");
        for (KataValidation k : validations) {
            ObjectNode node = katas.addObject();
            node.put("id", k.kataId());
            node.put("ok", k.ok());
            ArrayNode problems = node.putArray("problems");
            k.kataProblems().forEach(problems::add);
            ArrayNode warnings = node.putArray("warnings");
            k.warnings().forEach(warnings::add);
            if (k.mutation() != null) {
                mutation(node.putObject("mutation"), k.mutation());
            }
            ArrayNode variants = node.putArray("variants");
            for (VariantResult v : k.variants()) {
                ObjectNode variant = variants.addObject();
                variant.put("variant", v.variant().label());
                variant.put("expect", v.variant().pass() ? "pass"
                        : v.variant().reason() == null ? "fail" : "fail:" + v.variant().reason().id());
                variant.put("ok", v.ok());
                variant.put("flaky", v.flaky());
                variant.put("runs", v.runs());
                variant.put("medianMs", v.medianMs());
                ArrayNode reasons = variant.putArray("verdicts");
                v.reasons().forEach(reasons::add);
                ArrayNode vp = variant.putArray("problems");
                v.problems().forEach(vp::add);
            }
        }
        return Json.write(root);
    }

    private static void mutation(ObjectNode node, MutationReport m) {
        node.put("ok", m.ok());
        node.put("generated", m.generated());
        node.put("notCompiled", m.notCompiled());
        node.put("killed", m.killed());
        node.put("equivalent", m.equivalent());
        node.put("survived", m.survivors().size());
        node.put("durationMs", m.durationMs());
        ArrayNode survivors = node.putArray("survivors");
        for (MutationReport.Survivor s : m.survivors()) {
            ObjectNode survivor = survivors.addObject();
            survivor.put("id", s.mutant().id());
            survivor.put("operator", s.mutant().operator());
            survivor.put("file", s.mutant().file());
            ArrayNode verdicts = survivor.putArray("verdicts");
            s.verdicts().forEach(verdicts::add);
            survivor.put("diff", s.mutant().diff());
        }
        ArrayNode problems = node.putArray("problems");
        m.problems().forEach(problems::add);
        ArrayNode warnings = node.putArray("warnings");
        m.warnings().forEach(warnings::add);
    }

    /** A pack that does not load: {@code {"ok": false, "problems": [...], "katas": []}}, each problem naming file and field. */
    public static String renderFormatProblems(List<String> problems) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("ok", false);
        ArrayNode array = root.putArray("problems");
        problems.forEach(array::add);
        root.putArray("katas");
        return Json.write(root);
    }
}
