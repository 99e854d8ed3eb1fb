package dev.kata.cli;

import dev.kata.catalog.Kata;
import dev.kata.grader.Grader;
import dev.kata.grader.GraderSettings;
import dev.kata.render.ValidationJson;
import dev.kata.render.ValidationText;
import dev.kata.validate.KataValidation;
import dev.kata.validate.Validator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Prove the katas teach: each starter must fail for its pitfall, each solution pass, "
                + "each mutant fail, on every run.",
                "Runs several checks at once; reports wrong and flaky verdicts."})
final class ValidateCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", arity = "0..*", completionCandidates = KataIds.class,
            description = "The katas to validate (default: all of the pack).")
    List<String> ids = new ArrayList<>();

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Grade each starter, solution and mutant N times (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Checks to run at once (default: one more than the number of cores).")
    Integer jobs;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        CommandContext ctx = ctx();
        if (repeat < 1) {
            throw new dev.kata.KataException("--repeat must be at least 1");
        }
        List<Kata> katas = ids.isEmpty() ? ctx.catalog().katas() : ids.stream().map(ctx::kata).toList();
        int parallelism = jobs != null ? Math.max(1, jobs) : Runtime.getRuntime().availableProcessors() + 1;
        Validator validator = new Validator(new Grader(GraderSettings.defaults(ctx.cacheDir()).failFast()), parallelism);
        PrintWriter out = ctx.out();
        ValidationText text = new ValidationText(ctx.style());
        long start = System.nanoTime();
        List<KataValidation> results = validator.validate(katas, repeat, k -> {
            if (!json) {
                out.println(text.line(k));
                out.flush();
            }
        });
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.print(json ? ValidationJson.render(results, ms) : text.footer(results, ms) + "\n");
        return results.stream().allMatch(KataValidation::ok) ? Main.PASS : Main.FAIL;
    }
}
