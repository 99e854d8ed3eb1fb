package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.catalog.Kata;
import dev.kata.daemon.CheckService;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Status;
import dev.kata.grader.Verdict;
import dev.kata.render.Style;
import dev.kata.render.VerdictJson;
import dev.kata.render.VerdictText;
import dev.kata.workspace.KataProgress;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.Progress;
import dev.kata.workspace.ProgressNotRecordedException;
import dev.kata.workspace.ProgressStatus;
import dev.kata.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Grade your fix with the kata's hidden tests. Your files are only read, never changed.")
final class CheckCommand extends Subcommand implements Callable<Integer> {
    @Mixin
    KataIdParameter kataId;

    @Option(names = "--json", description = "Print the verdict as JSON (status, reason, tests, diagnostics, durationMs...).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Also list the tests that passed.")
    boolean verbose;

    @Override
    public Integer call() {
        CommandContext ctx = ctx();
        Kata kata = kataId.in(ctx);
        Workspace workspace = ctx.workspace();
        if (!workspace.isStarted(kata) && ctx.progress().read().of(kata.id()).status() == ProgressStatus.NOT_STARTED) {
            // A started kata whose file was deleted is graded: the verdict says the file is missing.
            throw new KataException("you have not started " + kata.id() + " yet: run `kata start " + kata.id() + "` first.");
        }
        Path sourceDir = workspace.sourceDir(kata);
        CheckService checks = CheckService.of(ctx.cacheDir(), ctx.launch().env());
        Verdict verdict;
        if (!json && ctx.stdoutTerminal()) {
            try (Spinner spinner = new Spinner(ctx.err())) {
                verdict = checks.check(kata, sourceDir, spinner);
            }
        } else {
            verdict = checks.check(kata, sourceDir, CheckListener.NONE);
        }
        LastVerdict last = new LastVerdict(verdict.status().id(), verdict.reason() == null ? null : verdict.reason().id(),
                verdict.summary(), ctx.clock().instant());
        KataProgress stored = ctx.progress().read().of(kata.id());
        ProgressStatus before = stored.status();
        KataProgress after;
        String notRecorded = null;
        try {
            after = ctx.progress().update(kata.id(), p -> p.checked(last)).of(kata.id());
        } catch (ProgressNotRecordedException e) {
            // The verdict is the learner's all the same: show it, then say it was not kept.
            after = stored.checked(last);
            notRecorded = e.getMessage();
        }
        PrintWriter out = ctx.out();
        if (json) {
            out.print(VerdictJson.render(verdict));
        } else {
            out.print(new VerdictText(ctx.style(), ctx.paths(), verbose, ctx.columns()).render(verdict, kata, sourceDir));
            out.println();
            advice(ctx, kata, workspace, verdict, before != ProgressStatus.PASSED && after.status() == ProgressStatus.PASSED);
        }
        if (notRecorded != null) {
            ctx.err().println("kata: warning: this verdict was not recorded: " + notRecorded);
        }
        return verdict.passed() ? Main.PASS : verdict.status() == Status.INCONCLUSIVE ? Main.INCONCLUSIVE : Main.FAIL;
    }

    private static void advice(CommandContext ctx, Kata kata, Workspace workspace, Verdict verdict, boolean firstPass) {
        PrintWriter out = ctx.out();
        Style style = ctx.style();
        if (verdict.passed()) {
            if (firstPass) {
                out.println(style.green("Well done!") + " See the reference solution and why it works: "
                        + style.bold("kata solution " + kata.id()));
            }
            Progress progress = ctx.progress().read();
            ctx.catalog().katas().stream()
                    .filter(k -> progress.of(k.id()).status() != ProgressStatus.PASSED)
                    .findFirst()
                    .ifPresent(next -> out.println("Next kata: " + style.bold("kata start " + next.id())));
        } else if (verdict.status() != Status.INCONCLUSIVE) { // the verdict's own text already says to run it again
            Path file = workspace.learnerFiles(kata).get(0);
            out.println("Fix " + ctx.paths().show(file) + (kata.files().size() > 1 ? " (and the others)" : "")
                    + ", then run " + style.bold("kata check " + kata.id()) + " again."
                    + style.dim(" Stuck? kata hint " + kata.id()));
        }
    }
}
