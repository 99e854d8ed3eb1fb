package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.catalog.KataTexts;
import dev.kata.render.StoryText;
import dev.kata.render.Style;
import dev.kata.workspace.Starter;
import dev.kata.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Starting a kata: copy the starter in (keeping any file already there), record it, tell the story and the files to edit. */
public final class StartFlow {
    private final CommandContext ctx;

    public StartFlow(CommandContext ctx) {
        this.ctx = ctx;
    }

    public int start(Kata kata) {
        Workspace workspace = ctx.workspace();
        Starter.Result result = new Starter().start(kata, workspace);
        ctx.progress().update(kata.id(), p -> p.started(ctx.clock().instant()));
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        out.print(new StoryText(style).render(KataTexts.read(kata).story()));
        out.println();
        if (!result.kept().isEmpty()) {
            out.println(style.yellow("You started this kata before: your work is kept as it is."));
            for (Path copied : result.copied()) {
                out.println("Copied the missing starter file " + copied.getFileName() + ".");
            }
        }
        printFiles(ctx, kata, workspace);
        return Main.PASS;
    }

    /** The files to edit (absolute paths) and the commands to check or get help. */
    public static void printFiles(CommandContext ctx, Kata kata, Workspace workspace) {
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        List<Path> files = workspace.learnerFiles(kata);
        out.println(files.size() == 1 ? "Edit this file:" : "Edit these files:");
        files.forEach(f -> out.println("  " + style.bold(f.toString())));
        if (!kata.support().isEmpty()) {
            out.println(style.dim((files.size() == 1 ? "Beside it" : "Beside them") + ", to read (read-only; checks use the kata's own copy): "
                    + String.join(", ", kata.support())));
        }
        out.println("When your fix is ready: " + style.bold("kata check " + kata.id())
                + style.dim("   (stuck? kata hint " + kata.id() + ")"));
    }
}
