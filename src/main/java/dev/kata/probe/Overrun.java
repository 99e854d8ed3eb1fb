package dev.kata.probe;

/**
 * Decides about a test that has run past its time limit: too slow (a busy loop, a hang), or only
 * kept from the CPU by a busy machine, which wall time alone cannot tell apart. The test's
 * threads' own CPU time and their time spent runnable but waiting for a CPU (the kernel counts
 * both) can: code that had the CPU and used it is slow; code that, less its wait for a CPU, is
 * still over the limit is slow or stuck; code that is over only because of that wait gets more
 * time, up to {@link #STRETCH} times its limit, after which the tutor cannot tell.
 *
 * @param wallMs    how long the test has run
 * @param cpuMs     CPU time its threads got
 * @param cpuWaitMs time the JVM's threads were runnable but waiting for a CPU (0 where unknown)
 * @param idleMs    how long none of its threads has run or wanted a CPU (a hang, not a starved test)
 * @param waitOnlyInPart whether {@code cpuWaitMs} is known to miss some of the wait on a busy machine
 *                  (threads that came and went unseen): then it proves nothing about the rest
 */
record Overrun(long wallMs, long cpuMs, long cpuWaitMs, long idleMs, boolean waitOnlyInPart) {

    Overrun(long wallMs, long cpuMs, long cpuWaitMs, long idleMs) {
        this(wallMs, cpuMs, cpuWaitMs, idleMs, false);
    }

    /** The same readings, with the wait for a CPU known to miss some of it. */
    Overrun waitKnownOnlyInPart() {
        return new Overrun(wallMs, cpuMs, cpuWaitMs, idleMs, true);
    }

    /** How far past its limit a starved test may run before it is inconclusive. */
    static final int STRETCH = 4;
    /** A test none of whose threads has wanted a CPU for this long is stuck, however busy the machine. */
    static final long IDLE_PROOF_MS = 1000;

    enum Call { WITHIN, TOO_SLOW, CANNOT_TELL, WAIT }

    /** What shows a test past its limit is too slow, whatever the machine: the first that holds. */
    enum Evidence {
        /** its threads burnt half the limit on a CPU */
        RAN,
        /** over the limit even less the time the JVM waited for a CPU, where that time is known in full */
        NOT_THE_WAIT,
        /** none of its threads has run for a while */
        STUCK,
        NONE
    }

    Call judge(long limitMs) {
        if (wallMs <= limitMs) {
            return Call.WITHIN;
        }
        if (evidence(limitMs) != Evidence.NONE) {
            return Call.TOO_SLOW;
        }
        return wallMs > STRETCH * limitMs ? Call.CANNOT_TELL : Call.WAIT;
    }

    Evidence evidence(long limitMs) {
        if (cpuMs * 2 >= limitMs) {
            return Evidence.RAN;
        }
        if (wallMs - cpuWaitMs > limitMs && !waitOnlyInPart) {
            return Evidence.NOT_THE_WAIT;
        }
        return idleMs >= IDLE_PROOF_MS ? Evidence.STUCK : Evidence.NONE;
    }

    /** Whether waiting for a CPU took a noticeable part of the time. */
    boolean starved() {
        return cpuWaitMs * 5 >= wallMs;
    }

    /** Why a test is too slow although the machine was busy: the evidence the overrun's judgement rests on. */
    String busyMachineNote(long limitMs) {
        String ran = "in " + seconds(wallMs()) + " its threads ran " + seconds(cpuMs());
        return switch (evidence(limitMs)) {
            case RAN -> ran + " on a CPU, half its limit or more: the code itself keeps busy";
            case STUCK -> "but none of its threads has run at all for the last " + seconds(idleMs())
                    + ": it is stuck, not slowed down";
            default -> ran + " and the test JVM waited " + seconds(cpuWaitMs())
                    + " for a CPU, which does not explain the overrun";
        };
    }

    static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
