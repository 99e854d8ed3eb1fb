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
        ctx().out().print(AutoComplete.bash("kata", spec.root().commandLine()));
        return Main.PASS;
    }
}
