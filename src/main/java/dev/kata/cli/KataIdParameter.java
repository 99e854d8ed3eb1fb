package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import dev.kata.workspace.KataState;
import java.util.List;
import picocli.CommandLine.Parameters;

/** The kata a command works on, named by its id: one declaration for every command that takes one. */
final class KataIdParameter {
    @Parameters(paramLabel = "ID", arity = "0..1", completionCandidates = KataIds.class,
            description = "The kata, e.g. leak-alert (see kata list). Default: your current kata.")
    String id;

    /** The kata named, or the learner's current one; a clear error naming the ids that come close. */
    Kata in(CommandContext ctx) {
        if (id != null) {
            return ctx.kata(id);
        }
        List<KataState> states = KataState.of(ctx.catalog().katas(), ctx.progress().read(), ctx.workspace());
        return KataState.current(states).map(KataState::kata).orElseThrow(() -> new KataException(
                "every kata of this workspace has passed, so there is no current one: name the kata (see kata list)."));
    }
}
