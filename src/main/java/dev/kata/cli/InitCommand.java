package dev.kata.cli;

import dev.kata.workspace.WorkspaceInitializer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a workspace: the folder where your copies of the katas and your progress live.")
final class InitCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The folder to create (or an empty one).")
    Path dir;

    @Option(names = "--force", description = "Also use a folder that holds other files (none is overwritten).")
    boolean force;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        WorkspaceInitializer.Result result = new WorkspaceInitializer().init(ctx.cwd().resolve(dir), force);
        PrintWriter out = ctx.out();
        Path root = result.workspace().root();
        out.println(ctx.style().passMark() + " Created a kata workspace in " + ctx.style().bold(root.toString()));
        out.println("  Your files go in src/main/java/; open the folder in your IDE as a Maven project.");
        for (Path kept : result.kept()) {
            out.println("  Kept " + root.relativize(kept) + " as it was.");
        }
        out.println("Next: cd " + root + " and run " + ctx.style().bold("kata list") + " or just "
                + ctx.style().bold("kata") + " to begin.");
        return Main.PASS;
    }
}
