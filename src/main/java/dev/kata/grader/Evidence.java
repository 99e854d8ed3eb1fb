package dev.kata.grader;

import java.util.List;

/**
 * What a failure rests on. {@code MODEL_CHECKED}: the model checker found an interleaving of the
 * threads' steps that breaks the code, the same on every run ({@code interleaving} shows it).
 * {@code STRESS}: many threads ran at once and the failure showed this time ({@code threads} and
 * {@code rounds} when known, else 0). {@code RACE_DETECTOR}: the probe's race detector saw two
 * accesses to one field and nothing ordering them, a race whatever values they read.
 * {@code ORDERED_SCENARIO}: the test itself put the threads' steps in the order that breaks the
 * code, so the failure shows on every run.
 */
public record Evidence(Kind kind, String detail, int threads, int rounds, Interleaving interleaving)
        implements java.io.Serializable {

    public enum Kind {
        MODEL_CHECKED, STRESS, RACE_DETECTOR, ORDERED_SCENARIO;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static Kind fromId(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** The steps, across threads, that break the learner's code: their lines only. */
    public record Interleaving(List<String> threads, List<Step> steps) implements java.io.Serializable {
    }

    /**
     * One step of {@code thread} (an index into the threads): a {@code call} into the learner's
     * code, a {@code read} or {@code write} of a field, another {@code step} on their line, or a
     * {@code switch} to another thread ({@code breaking} marks the one that let it in between two
     * steps that belong together). {@code location} is {@code File.java:line}, null for calls and
     * switches.
     */
    public record Step(int thread, String kind, String location, String action, boolean breaking)
            implements java.io.Serializable {
    }
}
