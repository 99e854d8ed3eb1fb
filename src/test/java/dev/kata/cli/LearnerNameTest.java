package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerNameTest {
    @TempDir
    Path temp;

    private Launch launch(Map<String, String> env) {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return new Launch(sink, sink, env, temp, temp, null, temp, false, Clock.systemUTC());
    }

    @Test
    void theOptionWinsThenTheEnvironment() {
        assertEquals("ada", LearnerName.resolve(" ada ", launch(Map.of("USER", "bob")), temp));
        assertEquals("bob", LearnerName.resolve(null, launch(Map.of("USER", "bob")), temp));
    }

    @Test
    void withNoUserVariableTheSystemsAccountNameIsAsked() {
        // A home with no git config, as in a container started with `env -i`.
        assertEquals(System.getProperty("user.name"), LearnerName.resolve(null, launch(Map.of()), temp));
    }
}
