package dev.kata.probe;

import dev.kata.probe.api.PitfallFailure;
import dev.kata.probe.api.Reason;
import java.util.Map;

/**
 * What a race found without the model checker rests on: a stress run, which saw it under so many
 * threads in so many rounds on this machine, this time. The test may say so ({@link
 * PitfallFailure#underStress}); otherwise the threads the test started are counted. A race the
 * test staged step by step ({@link PitfallFailure#inOrderedScenario}) rests on that scenario instead.
 */
final class StressEvidence {
    private StressEvidence() {
    }

    /** Evidence for a race seen by a test that did not use the model checker, or null for another failure. */
    static Map<String, Object> of(Throwable error, Reason reason, TestRun run) {
        if (reason != Reason.RACE) {
            return null;
        }
        int threads = 0;
        int rounds = 0;
        if (error instanceof PitfallFailure p && p.ordered()) {
            Map<String, Object> evidence = Json.object();
            evidence.put("kind", "ordered-scenario");
            evidence.put("detail", "the test put the threads' steps in this order, so it shows on every run");
            return evidence;
        }
        if (error instanceof PitfallFailure p) {
            threads = p.stressThreads();
            rounds = p.stressRounds();
        }
        if (threads == 0 && run != null) {
            threads = (int) Math.min(Integer.MAX_VALUE, run.threadsStarted());
        }
        StringBuilder detail = new StringBuilder("seen");
        if (threads > 0) {
            detail.append(" under ").append(threads).append(threads == 1 ? " thread" : " threads");
        }
        if (rounds > 0) {
            detail.append(threads > 0 ? ", " : " in ").append(rounds).append(rounds == 1 ? " round" : " rounds");
        }
        detail.append(" on this run (not model-checked: another run may interleave differently)");
        Map<String, Object> evidence = Json.object();
        evidence.put("kind", "stress");
        evidence.put("detail", detail.toString());
        evidence.put("threads", threads);
        evidence.put("rounds", rounds);
        return evidence;
    }
}
