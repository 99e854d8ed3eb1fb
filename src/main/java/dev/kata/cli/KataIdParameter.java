package dev.kata.cli;

import dev.kata.catalog.Kata;
import picocli.CommandLine.Parameters;

/** The kata a command works on, named by its id: one declaration for every command that takes one. */
final class KataIdParameter {
    @Parameters(paramLabel = "ID", completionCandidates = KataIds.class,
            description = "The kata, e.g. leak-alert (see kata list).")
    String id;

    /** The kata of the pack in use, or a clear error naming the ids that come close. */
    Kata in(CommandContext ctx) {
        return ctx.kata(id);
    }
}
