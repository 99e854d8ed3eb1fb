package dev.kata.render;

import dev.kata.catalog.Track;
import dev.kata.workspace.KataProgress;
import dev.kata.workspace.KataState;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.ProgressStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kata progress --format junit}: a JUnit XML report (the surefire / Jenkins {@code testsuite}
 * shape) that CI dashboards load. One testcase per kata: passed when solved; a failure carrying the
 * last verdict when started and not solved yet (or never checked); skipped when not started. The
 * class name is {@code <learner>.<track>}, so that several learners' reports in one dashboard
 * neither collide nor mix.
 */
public final class ProgressJUnit {
    private ProgressJUnit() {
    }

    public static String render(ProgressExport export) {
        List<KataState> states = export.states();
        long failures = states.stream().filter(s -> s.status() == ProgressStatus.IN_PROGRESS).count();
        long skipped = states.stream().filter(s -> s.status() == ProgressStatus.NOT_STARTED).count();
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.append("<testsuite name=\"").append(Xml.attribute("kata progress of " + export.learner() + ": "
                        + export.packName() + " " + export.packVersion()))
                .append("\" tests=\"").append(states.size())
                .append("\" failures=\"").append(failures)
                .append("\" errors=\"0\" skipped=\"").append(skipped)
                .append("\" time=\"0\">\n");
        xml.append("  <properties>\n");
        property(xml, "kata.learner", export.learner());
        property(xml, "kata.pack", export.packName());
        property(xml, "kata.pack.version", export.packVersion());
        property(xml, "kata.exportedAt", text(export.exportedAt()));
        xml.append("  </properties>\n");
        String learner = classPart(export.learner());
        for (Track track : export.tracks()) {
            for (KataState state : export.inTrack(track)) {
                testcase(xml, learner + "." + classPart(track.id()), state);
            }
        }
        xml.append("</testsuite>\n");
        return xml.toString();
    }

    private static void testcase(StringBuilder xml, String className, KataState state) {
        KataProgress record = state.record();
        xml.append("  <testcase name=\"").append(Xml.attribute(state.kata().id()))
                .append("\" classname=\"").append(Xml.attribute(className))
                .append("\" time=\"0\">\n");
        switch (state.status()) {
            case NOT_STARTED -> xml.append("    <skipped message=\"not started\"/>\n");
            case IN_PROGRESS -> {
                LastVerdict last = record.lastVerdict();
                String type = last == null ? "not-checked" : last.reason() == null ? "fail" : last.reason();
                String message = last == null ? "started, not checked yet"
                        : type + (last.summary() == null ? "" : ": " + last.summary());
                xml.append("    <failure type=\"").append(Xml.attribute(type))
                        .append("\" message=\"").append(Xml.attribute(message)).append("\">")
                        .append(Xml.text(last == null ? message
                                : "last check " + text(last.at()) + ": " + message))
                        .append("</failure>\n");
            }
            case PASSED -> {
            }
        }
        xml.append("    <system-out>").append(Xml.text(state.kata().title() + "\n" + details(record)))
                .append("</system-out>\n");
        xml.append("  </testcase>\n");
    }

    /** "started 2026-03-01T09:00:00Z, solved ..., 3 checks, 1 hint". */
    static String details(KataProgress record) {
        List<String> parts = new ArrayList<>();
        if (record.startedAt() != null) {
            parts.add("started " + text(record.startedAt()));
        }
        if (record.solvedAt() != null) {
            parts.add("solved " + text(record.solvedAt()));
        }
        parts.add(record.attempts() + (record.attempts() == 1 ? " check" : " checks"));
        parts.add(record.hintsUsed() + (record.hintsUsed() == 1 ? " hint" : " hints"));
        return String.join(", ", parts);
    }

    private static void property(StringBuilder xml, String name, String value) {
        xml.append("    <property name=\"").append(Xml.attribute(name)).append("\" value=\"")
                .append(Xml.attribute(value)).append("\"/>\n");
    }

    /** A part of a dotted class name: no dots, no spaces. */
    static String classPart(String text) {
        String part = text == null ? "" : text.strip().replaceAll("[\\s.]+", "-");
        return part.isEmpty() ? "unknown" : part;
    }

    /** To the second: the nanoseconds a record keeps mean nothing on a dashboard. */
    private static String text(Instant instant) {
        return instant == null ? "" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
