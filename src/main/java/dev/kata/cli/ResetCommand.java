package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import dev.kata.render.Plural;
import dev.kata.render.Style;
import dev.kata.workspace.Backups;
import dev.kata.workspace.Resetter;
import dev.kata.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Stack;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

@Command(name = "reset", mixinStandardHelpOptions = true,
        description = "Put a kata's starter file(s) back. Your version is backed up first (kept in the workspace, "
                + "under .kata/backups); --restore brings a backup back, --backups lists them.")
final class ResetCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Option(names = "--restore", arity = "0..1", paramLabel = "BACKUP", parameterConsumer = BackupName.class,
            description = "Instead of the starter, put back the files of a backup (when none is named, the latest that "
                    + "differs from your files: again goes one further back; see --backups). Your current version is "
                    + "backed up first.")
    String restore;

    @Option(names = "--backups", description = "List the kata's backups, oldest first, and change nothing.")
    boolean list;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        Workspace workspace = ctx.workspace();
        if (list) {
            return listBackups(ctx, kata, workspace);
        }
        if (restore != null) {
            return restoreBackup(ctx, kata, workspace);
        }
        Resetter.Result result = new Resetter(ctx.clock()).reset(kata, workspace);
        ctx.progress().update(kata.id(), p -> p.started(ctx.clock().instant()));
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        if (result.backup() != null) {
            printBackup(out, style, result);
        } else {
            out.println("Nothing to back up: your files were the same as the starter (or not there).");
        }
        out.println(style.passMark() + " " + kata.id() + " is back to its starter.");
        StartFlow.printFiles(ctx, kata, workspace);
        return Main.PASS;
    }

    private int restoreBackup(CommandContext ctx, Kata kata, Workspace workspace) {
        List<Backups.Backup> all = Backups.of(kata, workspace);
        if (all.isEmpty()) {
            throw new KataException(kata.id() + " has no backup to restore: `kata reset " + kata.id()
                    + "` makes one of your files before it puts the starter back.");
        }
        if (restore.isBlank() && Backups.find(kata, workspace, restore).isEmpty()) {
            throw new KataException("your files of " + kata.id() + " are already as every backup has them: nothing to restore.");
        }
        Backups.Backup backup = Backups.find(kata, workspace, restore).orElseThrow(() -> new KataException(
                "there is no backup " + restore + " of " + kata.id() + "; there "
                        + (all.size() == 1 ? "is " : "are ") + Plural.of(all.size(), "backup") + ": "
                        + all.stream().map(Backups.Backup::name).collect(Collectors.joining(", ")) + "."));
        Resetter.Result result = new Resetter(ctx.clock()).restore(kata, workspace, backup);
        ctx.progress().update(kata.id(), p -> p.started(ctx.clock().instant()));
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        if (result.backup() != null) {
            printBackup(out, style, result);
        }
        out.println(style.passMark() + " " + kata.id() + " is back to the backup " + style.bold(backup.name()) + ".");
        StartFlow.printFiles(ctx, kata, workspace);
        return Main.PASS;
    }

    private static int listBackups(CommandContext ctx, Kata kata, Workspace workspace) {
        PrintWriter out = ctx.out();
        List<Backups.Backup> all = Backups.of(kata, workspace);
        if (all.isEmpty()) {
            out.println(kata.id() + " has no backup yet (`kata reset " + kata.id() + "` makes one of your files).");
            return Main.PASS;
        }
        out.println(Plural.of(all.size(), "backup") + " of " + kata.id() + ", in " + ctx.paths().show(all.get(0).dir().getParent())
                + " (oldest first):");
        for (Backups.Backup backup : all) {
            out.println("  " + ctx.style().bold(backup.name()) + "  "
                    + backup.files().stream().map(f -> f.getFileName().toString()).collect(Collectors.joining(", ")));
        }
        out.println(ctx.style().dim("`kata reset " + kata.id() + " --restore` brings back the latest that differs from your files; --restore NAME another."));
        return Main.PASS;
    }

    private static void printBackup(PrintWriter out, Style style, Resetter.Result result) {
        out.println("Your version is backed up in " + style.bold(result.backup().toString()) + ":");
        for (Path copy : result.backedUp()) {
            out.println("  " + copy.getFileName());
        }
    }

    /**
     * Takes the argument after {@code --restore} as its value only when it names a backup (a
     * folder name such as 20260304-050607, or a path to one): {@code kata reset --restore ID}
     * restores ID's latest backup.
     */
    static final class BackupName implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            String value = "";
            if (!args.isEmpty()) {
                String next = args.peek();
                if (Backups.NAME.matcher(next).matches() || next.contains("/") || next.contains("\\")) {
                    value = args.pop();
                }
            }
            argSpec.setValue(value);
        }
    }
}
