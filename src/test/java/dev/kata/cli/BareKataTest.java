package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.cli.CliHarness.Run;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bare {@code kata} when stdin is not a terminal (piped, CI): the session's information, printed once. */
class BareKataTest {
    @TempDir
    Path temp;

    @Test
    void withoutATerminalOnStdinItPrintsTheKataOnceAndNeverWaitsForKeys() {
        CliHarness kata = new CliHarness(temp);
        kata.initWorkspace();
        kata.terminal = true; // stdout is a terminal...
        kata.env.put("KATA_STDIN_TTY", "0"); // ...but stdin is a pipe

        Run run = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> kata.run().expect(0));

        assertTrue(run.out().contains("The adder that subtracts"), run.out());
        assertTrue(run.out().contains("Where to look: "), run.out());
        assertTrue(run.out().contains("src/main/java/sumup/Adder.java:8"), run.out());
        assertTrue(run.out().contains("h hint, c check, l list, q quit"), run.out());
    }
}
