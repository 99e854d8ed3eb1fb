package dev.kata.probe;

import org.junit.jupiter.engine.JupiterTestEngine;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The JUnit launcher of the test JVM: the Jupiter engine only, and none of the listeners, filters
 * and engines JUnit would otherwise look up on the class path, which the hidden tests never need
 * and every test JVM would pay for in start-up.
 */
public final class ProbeLauncher {
    private ProbeLauncher() {
    }

    public static Launcher create() {
        return LauncherFactory.create(LauncherConfig.builder()
                .enableTestEngineAutoRegistration(false)
                .addTestEngines(new JupiterTestEngine())
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false)
                .build());
    }
}
