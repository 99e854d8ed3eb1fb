package dev.kata.grader;

import dev.kata.probe.MachineLoad;
import java.time.Duration;
import java.util.Locale;

/**
 * The time limit of one check's tests, measured against the CPU the test JVMs were given and not
 * only against the clock. On a quiet machine it is the kata's limit. On a saturated one, a check
 * whose JVMs got less than half the limit in CPU time is given up to {@link #STRETCH} times the
 * limit; if it is still running then, the tutor cannot tell slow code from a starved machine and
 * says so. A check that had the CPU and used it is over its limit whatever the load.
 */
final class CheckLimit {
    static final int STRETCH = 3;

    enum Call { WITHIN, OVER, CANNOT_TELL }

    private final long limitMs;
    private final long startNanos = System.nanoTime();
    private final MachineLoad loadAtStart = MachineLoad.now();
    private long cpuMsOfEndedJvms;
    private long cpuMsOfThisJvm;

    CheckLimit(Duration limit) {
        this.limitMs = limit.toMillis();
    }

    /** The CPU time the running test JVM has had so far (read now and then while it runs). */
    void sawCpu(long ms) {
        cpuMsOfThisJvm = Math.max(cpuMsOfThisJvm, ms);
    }

    void jvmEnded() {
        cpuMsOfEndedJvms += cpuMsOfThisJvm;
        cpuMsOfThisJvm = 0;
    }

    long cpuMs() {
        return cpuMsOfEndedJvms + cpuMsOfThisJvm;
    }

    long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    Call judge() {
        return judge(elapsedMs(), cpuMs(), elapsedMs() > limitMs && MachineLoad.now().saturatedSince(loadAtStart));
    }

    /** The decision itself, for a check that has run {@code wallMs} and whose JVMs had {@code cpuMs}. */
    Call judge(long wallMs, long cpuMs, boolean saturated) {
        if (wallMs <= limitMs) {
            return Call.WITHIN;
        }
        if (!saturated || cpuMs * 2 >= limitMs) {
            return Call.OVER;
        }
        return wallMs > STRETCH * limitMs ? Call.CANNOT_TELL : Call.WITHIN;
    }

    /** What the test JVMs were given: "in 34.2 s the test JVM got 2.1 s of CPU (load 11.8 on 2 cores, ...)". */
    String given() {
        return String.format(Locale.ROOT, "in %.1f s the test JVM got %.1f s of CPU (%s)", elapsedMs() / 1000.0,
                cpuMs() / 1000.0, MachineLoad.now().describeSince(loadAtStart));
    }

    long limitSeconds() {
        return limitMs / 1000;
    }
}
