package dev.kata.probe.races;

/** What the detector keeps about one field of one object: its last plain write, or a volatile's clock. */
final class FieldShadow {
    /** A plain write: the thread that made it, that thread's clock then, and the learner line it was made at. */
    record Write(Races.ThreadClock thread, int clock, int site) {
    }

    private Write last;
    /** For a volatile field: what its writers have released. */
    private int[] released;

    /** The last plain write, or null if none was noted. */
    synchronized Write last() {
        return last;
    }

    /** Notes {@code next} as the last plain write; returns the one before it, or null. */
    synchronized Write replace(Write next) {
        Write previous = last;
        last = next;
        return previous;
    }

    /** {@code vc} raised to what this volatile field's writers released (may be {@code vc} itself). */
    synchronized int[] acquireInto(int[] vc) {
        return Races.join(vc, released);
    }

    /** Releases {@code vc} into this volatile field. */
    synchronized void releaseFrom(int[] vc) {
        released = Races.join(released, vc);
    }
}
