package dev.kata.cli;

import picocli.CommandLine.ParentCommand;

/** What every subcommand shares: access to the root command's context. */
abstract class Subcommand {
    @ParentCommand
    KataCommand root;

    CommandContext ctx() {
        return root.context();
    }
}
