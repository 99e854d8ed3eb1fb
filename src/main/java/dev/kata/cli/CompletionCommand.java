package dev.kata.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {
                "Print the shell completion script (bash and zsh): commands, options and kata ids complete on Tab.",
                "",
                "bash, in ~/.bashrc:   source <(kata completion)",
                "zsh, in ~/.zshrc:     autoload -U +X compinit && compinit",
                "                      autoload -U +X bashcompinit && bashcompinit",
                "                      source <(kata completion)"})
final class CompletionCommand extends Subcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("kata", spec.root().commandLine());
        // The ids of the pack of the workspace at hand, asked of the kata the learner typed (./kata works too).
        script = script.replace("(\"" + KataIds.MARKER + "\")", "( $(\"${COMP_WORDS[0]}\" list --ids 2>/dev/null) )");
        ctx().out().print(script);
        return Main.PASS;
    }
}
