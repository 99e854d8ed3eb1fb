package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.daemon.CheckService;
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
        Kata kata = kataId.in(ctx());
        int status = new StartFlow(ctx()).start(kata);
        // While the learner reads the story, the grader daemon gets a test JVM ready for the first check.
        CheckService.of(ctx().cacheDir(), ctx().launch().env()).prepare(kata);
        return status;
    }
}
