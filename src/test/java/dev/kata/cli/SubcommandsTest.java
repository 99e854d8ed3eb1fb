package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A command line that names its subcommand builds only that one; every other gets them all. */
class SubcommandsTest {
    private static final List<Class<?>> ALL = List.copyOf(Subcommands.ALL.values());

    @Test
    void eachIsListedUnderItsOwnName() {
        for (Map.Entry<String, Class<?>> e : Subcommands.ALL.entrySet()) {
            assertEquals(e.getKey(), new CommandLine(e.getValue()).getCommandName());
        }
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        assertEquals(List.of(CheckCommand.class), Subcommands.neededFor("check", "leak-alert", "--json"));
        assertEquals(List.of(ListCommand.class), Subcommands.neededFor("-w", "list", "list"));
        assertEquals(List.of(ListCommand.class), Subcommands.neededFor("--workspace", "ws", "--no-color", "list"));
        assertEquals(List.of(ListCommand.class), Subcommands.neededFor("--workspace=ws", "list"));
    }

    @Test
    void anythingElseGetsThemAll() {
        assertEquals(ALL, Subcommands.neededFor());
        assertEquals(ALL, Subcommands.neededFor("--help"));
        assertEquals(ALL, Subcommands.neededFor("-w", "ws"));
        assertEquals(ALL, Subcommands.neededFor("chek", "leak-alert"));
        assertEquals(ALL, Subcommands.neededFor("help", "check"));
        assertEquals(ALL, Subcommands.neededFor("completion"));
        assertEquals(ALL, Subcommands.neededFor("@args.txt"));
        assertEquals(ALL, Subcommands.neededFor("--", "check"));
    }
}
