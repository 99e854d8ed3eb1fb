package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.cli.CliHarness.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionCommandTest {
    @TempDir
    Path temp;

    @Test
    void printsABashAndZshCompletionScriptThatBashAccepts() throws Exception {
        Run run = new CliHarness(temp).run("completion").expect(0);

        assertTrue(run.out().contains("complete -F"), run.out());
        for (String command : new String[] {"check", "hint", "reset", "solution", "progress", "completion"}) {
            assertTrue(run.out().contains(command), command);
        }
        assertTrue(run.out().contains("zsh"), "works under zsh's bashcompinit too");
        Path script = Files.writeString(temp.resolve("kata-completion.bash"), run.out());
        Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertTrue(bash.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), new String(bash.getInputStream().readAllBytes()));
    }
}
