package dev.kata.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Put a kata's starter file(s) in your workspace (never over your own) and tell its story.")
final class StartCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", completionCandidates = KataIds.class, description = "The kata, e.g. leak-alert (see kata list).")
    String id;

    @Override
    public Integer call() {
        return new StartFlow(ctx()).start(ctx().kata(id));
    }
}
