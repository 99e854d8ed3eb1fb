package dev.kata.cli;

import dev.kata.authoring.Scaffolder;
import dev.kata.render.Style;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "new", mixinStandardHelpOptions = true,
        description = {"Start a kata of your own in a pack: a small working example (writer threads that must be "
                + "joined) to reshape into your team's pitfall. It passes `kata validate` as it is.",
                "Adds the id to the pack's pack.toml (made if missing). Nothing that exists is overwritten."})
final class NewCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The new kata's id: lower-case words and single dashes, e.g. billing-export.")
    String id;

    @Option(names = "--pack", paramLabel = "PATH", required = true,
            description = "The pack folder (made if missing). Relative to the current folder.")
    Path pack;

    @Option(names = "--title", paramLabel = "TEXT", description = "The kata's title (default: made from the id).")
    String title;

    @Option(names = "--track", paramLabel = "TRACK",
            description = "The track to add it to (default: the last one; a new track if no track has this id).")
    String track;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Path packDir = ctx.packDir(pack);
        Scaffolder.Result result = new Scaffolder().create(packDir, id, title, track);
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        out.println(style.passMark() + " Created " + style.bold(ctx.paths().show(result.kataDir()) + "/")
                + ": a working example to reshape into your own kata.");
        for (String file : result.files()) {
            out.println("  " + file);
        }
        out.println((result.manifestCreated() ? "Created " : "Added " + id + " to ")
                + ctx.paths().show(result.manifest())
                + (result.manifestCreated() ? " with " + id + " in" : ",") + " track " + result.trackId()
                + (result.newTrack() && !result.manifestCreated() ? " (a new track)" : "") + ".");
        out.println("Next: edit its files (kata.toml says what each one is for), then prove it still teaches:");
        out.println("  " + style.bold("kata validate --pack " + pack + " " + id)
                + style.dim("   (the starter must fail, the solution pass, each mutant fail)"));
        return Main.PASS;
    }
}
