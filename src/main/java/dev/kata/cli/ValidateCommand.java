package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogException;
import dev.kata.catalog.Kata;
import dev.kata.catalog.PackFiles;
import dev.kata.grader.Grader;
import dev.kata.grader.GraderSettings;
import dev.kata.render.ValidationJson;
import dev.kata.render.ValidationText;
import dev.kata.validate.KataValidation;
import dev.kata.validate.Validator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Prove the katas teach: each starter must fail for its pitfall, each solution pass, "
                + "each mutant fail, on every run.",
                "Runs several checks at once; reports wrong and flaky verdicts. A pack whose files break the format "
                        + "gets each problem by file and field (exit code 2)."})
final class ValidateCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", arity = "0..*", completionCandidates = KataIds.class,
            description = "The katas to validate (default: all of the pack).")
    List<String> ids = new ArrayList<>();

    @Option(names = "--pack", paramLabel = "PATH",
            description = "Validate this pack (a folder with a pack.toml), relative to the current folder. "
                    + "Default: the workspace's pack, else the built-in one.")
    Path pack;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Grade each starter, solution and mutant N times, to catch flaky tests (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Checks to run at once (default: twice the number of cores).")
    Integer jobs;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--mutate",
            description = "Also grade wrong fixes generated from each reference solution by concurrency mutation "
                    + "operators (remove synchronized or volatile, shrink a critical region, drop an unlock or a join, "
                    + "atomic to get-then-set...). Each survivor is listed with its id and diff; one that is not "
                    + "declared in kata.toml's [equivalent] fails the kata. With --repeat N each mutant is graded "
                    + "up to N times, until it passes once.")
    boolean mutate;

    @Override
    public Integer call() throws InterruptedException {
        CommandContext ctx = ctx();
        if (repeat < 1) {
            throw new KataException("--repeat must be at least 1");
        }
        PrintWriter out = ctx.out();
        Catalog catalog;
        try {
            catalog = pack != null ? ctx.usePack(pack) : ctx.catalog();
        } catch (CatalogException e) {
            if (!json) {
                throw e;
            }
            out.print(ValidationJson.renderFormatProblems(e.problems()));
            return Main.BAD_INPUT;
        }
        // A team's pack grades its own katas; the built-in ones it includes are graded with kata itself.
        List<Kata> katas = ids.isEmpty()
                ? catalog.katas().stream().filter(k -> k.dir().startsWith(catalog.dir())).toList()
                : ids.stream().map(catalog::require).toList();
        List<String> included = ids.isEmpty()
                ? catalog.katas().stream().filter(k -> !k.dir().startsWith(catalog.dir())).map(Kata::id).toList()
                : List.of();
        List<String> packProblems = ids.isEmpty() ? PackFiles.unlisted(catalog) : List.of();
        // Twice the cores: many checks spend part of their time waiting (timeouts, settling threads).
        int parallelism = jobs != null ? Math.max(1, jobs) : 2 * Runtime.getRuntime().availableProcessors();
        Path builtIn = builtInOrNull(ctx);
        Grader grader = new Grader(GraderSettings.defaults(ctx.cacheDir()).failFast());
        grader.trainArchive(katas);
        Validator validator = new Validator(grader, parallelism,
                k -> builtIn != null && k.dir().startsWith(builtIn) ? Validator.MIN_MUTANTS
                        : Validator.MIN_MUTANTS_IN_A_PACK,
                k -> Validator.BUILT_IN_CONTRACT_REQUIRED && builtIn != null && k.dir().startsWith(builtIn));
        ValidationText text = new ValidationText(ctx.style());
        if (!json) {
            packProblems.forEach(p -> out.println(text.packProblem(p)));
            if (!included.isEmpty()) {
                out.println(text.notGraded(included));
            }
        }
        long start = System.nanoTime();
        List<KataValidation> results = validator.validate(katas, repeat, mutate ? repeat : 0, k -> {
            if (!json) {
                out.println(text.line(k));
                out.flush();
            }
        });
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.print(json ? ValidationJson.render(results, packProblems, ms)
                : text.footer(results, ms) + text.repeatAdvice(repeat) + "\n");
        boolean ok = packProblems.isEmpty() && results.stream().allMatch(KataValidation::ok);
        return ok ? Main.PASS : Main.FAIL;
    }

    private static Path builtInOrNull(CommandContext ctx) {
        try {
            return ctx.builtInPackDir();
        } catch (CatalogException e) {
            return null;
        }
    }
}
