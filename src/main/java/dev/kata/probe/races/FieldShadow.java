package dev.kata.probe.races;

/** What the detector keeps about one field of one object: its last plain write, or a volatile's clock. */
final class FieldShadow {
    /** The thread of the last plain write, its clock then, and the learner line it was made at; null if none yet. */
    Races.ThreadClock writer;
    int clock;
    int site;
    /** For a volatile field: what its writers have released. */
    int[] vc;
}
