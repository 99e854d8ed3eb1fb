package dev.kata.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Put a kata's starter file(s) in your workspace (never over your own) and tell its story.")
final class StartCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Override
    public Integer call() {
        return new StartFlow(ctx()).start(kataId.in(ctx()));
    }
}
