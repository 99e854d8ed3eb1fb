package dev.kata.cli;

import dev.kata.catalog.Catalog;
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

    @Option(names = "--pack", paramLabel = "PATH",
            description = {"Use the katas of this pack (a folder with a pack.toml, e.g. in your team's repository) "
                    + "instead of the built-in ones. Relative to the current folder.",
                    "Saved in .kata/workspace.toml relative to the workspace."})
    Path pack;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Path root = ctx.cwd().resolve(dir).normalize();
        Path packDir = null;
        Catalog catalog = null;
        if (pack != null) {
            packDir = ctx.packDir(pack);
            catalog = ctx.loader().load(packDir); // a broken pack stops here, before anything is created
        }
        WorkspaceInitializer.Result result = new WorkspaceInitializer().init(root, force,
                packDir == null ? null : settingFor(packDir, root));
        PrintWriter out = ctx.out();
        root = result.workspace().root();
        out.println(ctx.style().passMark() + " Created a kata workspace in " + ctx.style().bold(root.toString()));
        out.println("  Your files go in src/main/java/; open the folder in your IDE as a Maven project.");
        if (catalog != null) {
            out.println("  It uses the pack " + ctx.style().bold(catalog.name() + " " + catalog.version()) + " ("
                    + catalog.katas().size() + (catalog.katas().size() == 1 ? " kata" : " katas") + ") in " + packDir
                    + ".");
        }
        for (Path kept : result.kept()) {
            out.println("  Kept " + root.relativize(kept) + " as it was.");
        }
        out.println("Next: cd " + root + " and run " + ctx.style().bold("kata list") + " or just "
                + ctx.style().bold("kata") + " to begin.");
        return Main.PASS;
    }

    /** The pack as the settings hold it: relative to the workspace, so both can move together; else absolute. */
    static String settingFor(Path packDir, Path workspaceRoot) {
        Path shown = packDir;
        if (packDir.getRoot() != null && packDir.getRoot().equals(workspaceRoot.getRoot())) {
            shown = workspaceRoot.relativize(packDir);
            if (shown.toString().isEmpty()) {
                shown = Path.of(".");
            }
        }
        return shown.toString().replace('\\', '/');
    }
}
