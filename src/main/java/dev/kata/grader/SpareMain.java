package dev.kata.grader;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.kata.probe.ProbeMain;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

/**
 * Entry point of a spare test JVM (see {@link Grader}): while it waits for the next check, it runs
 * one trivial test of the tutor's own through JUnit, so that JUnit's discovery and execution code
 * is loaded, initialised and compiled by the time the learner saves; then it is the probe as
 * usual. Only the tutor's code runs before the orders arrive, and the JVM still serves one check.
 */
public final class SpareMain {
    private SpareMain() {
    }

    public static void main(String[] args) throws Exception {
        ProbeMain.startModelCheckerWarmUp();
        warmUp();
        ProbeMain.main(args);
    }

    static void warmUp() {
        try {
            dev.kata.probe.ProbeLauncher.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(WarmUp.class))
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                    .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                    .build());
        } catch (Throwable e) {
            // Only a head start: the check runs the same without it.
        }
    }

    /** The warm-up's test. */
    static final class WarmUp {
        @Test
        void warm() {
            org.junit.jupiter.api.Assertions.assertEquals(42, 6 * 7);
        }
    }
}
