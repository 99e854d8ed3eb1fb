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

    @Test
    void kataIdsCompleteFromThePackOfTheWorkspaceAtHand() throws Exception {
        CliHarness kata = new CliHarness(temp);
        Path script = Files.writeString(temp.resolve("kata-completion.bash"), kata.run("completion").expect(0).out());
        kata.initWorkspace();
        assertEquals("count-down\ngreet-all\nsum-up\n", sorted(kata.run("list", "--ids").expect(0).out()));

        // The script asks the kata the learner typed; a stand-in answers as `kata list --ids` would in a team pack.
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path standIn = Files.writeString(bin.resolve("kata"), "#!/bin/sh\n[ \"$1 $2\" = 'list --ids' ] && printf 'invoice-fanout\\nsum-up\\n'\n");
        standIn.toFile().setExecutable(true);
        String complete = "source " + script + "; compopt() { :; }; COMP_WORDS=(kata start inv); COMP_CWORD=2; _complete_kata; echo \"${COMPREPLY[@]}\"";
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", complete).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process bash = builder.start();
        assertTrue(bash.waitFor(20, TimeUnit.SECONDS));
        assertEquals("invoice-fanout", new String(bash.getInputStream().readAllBytes()).strip());
    }

    private static String sorted(String lines) {
        return String.join("\n", lines.lines().sorted().toList()) + "\n";
    }
}
