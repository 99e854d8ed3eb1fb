package dev.kata.probe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MainRunnerTest {
    /** A learner's program that never ends. */
    public static final class Forever {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("running " + String.join(",", args));
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** A learner's program that ends at once. */
    public static final class Quick {
        public static void main(String[] args) {
            System.out.println("done " + String.join(",", args));
        }
    }

    /** Plays the test JVM: starts Forever through MainRunner, says its pid, then dies abruptly. */
    public static final class AbruptTestJvm {
        public static void main(String[] args) throws Exception {
            Thread.ofPlatform().start(() -> MainRunner.run(Forever.class, Duration.ofMinutes(5), "x"));
            for (int i = 0; i < 600; i++) {
                Optional<ProcessHandle> child = ProcessHandle.current().children().findFirst();
                if (child.isPresent()) {
                    System.out.println(child.get().pid());
                    Thread.sleep(500);
                    Runtime.getRuntime().halt(3);
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void runsMainWithItsArgumentsAndItsExitCode() {
        MainRunner.Result result = MainRunner.run(Quick.class, Duration.ofSeconds(60), "a", "b");

        assertEquals(0, result.exitCode());
        assertEquals("done a,b", result.stdout().strip());
        assertFalse(result.timedOut());
    }

    @Test
    void aProgramWhoseTestJvmDiesEndsToo() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process testJvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AbruptTestJvm.class.getName()).redirectErrorStream(true).start();
        long childPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(testJvm.getInputStream(), StandardCharsets.UTF_8))) {
            childPid = Long.parseLong(out.readLine().strip());
        }
        assertTrue(testJvm.waitFor(60, TimeUnit.SECONDS));
        Optional<ProcessHandle> child = ProcessHandle.of(childPid);
        if (child.isPresent()) {
            child.get().onExit().get(30, TimeUnit.SECONDS);
        }
        assertFalse(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false), "the orphaned program was ended");
    }
}
