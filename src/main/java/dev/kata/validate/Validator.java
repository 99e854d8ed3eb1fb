package dev.kata.validate;

import dev.kata.catalog.Kata;
import dev.kata.grader.CheckCancelledException;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Grader;
import dev.kata.grader.Verdict;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Proves a kata can teach: grades its starter, solution and every mutant {@code repeat} times,
 * several checks at once, and reports any verdict that is wrong, or right only some of the time.
 */
public final class Validator {
    /** Mutants a built-in kata needs at the least. */
    public static final int MIN_MUTANTS = 3;
    /** Mutants a kata of a team's pack needs at the least: one proves the tests catch a wrong fix. */
    public static final int MIN_MUTANTS_IN_A_PACK = 1;
    /**
     * Whether every built-in kata must have a contract.toml (all 25 have one). A team's pack never
     * must: there it is recommended, and checked when present.
     */
    public static final boolean BUILT_IN_CONTRACT_REQUIRED = true;

    private final Grader grader;
    private final int parallelism;
    private final ToIntFunction<Kata> minMutants;
    private final Predicate<Kata> contractRequired;

    /** A validator for the built-in pack. */
    public Validator(Grader grader, int parallelism) {
        this(grader, parallelism, k -> MIN_MUTANTS, k -> BUILT_IN_CONTRACT_REQUIRED);
    }

    /**
     * @param minMutants       how many mutants each kata needs at the least
     * @param contractRequired whether a kata without a contract.toml is invalid
     */
    public Validator(Grader grader, int parallelism, ToIntFunction<Kata> minMutants, Predicate<Kata> contractRequired) {
        this.grader = grader;
        this.parallelism = Math.max(1, parallelism);
        this.minMutants = minMutants;
        this.contractRequired = contractRequired;
    }

    /** Validates {@code katas}; {@code onDone} hears each kata as soon as all its checks are in. */
    public List<KataValidation> validate(List<Kata> katas, int repeat, Consumer<KataValidation> onDone)
            throws InterruptedException {
        return validate(katas, repeat, 0, onDone);
    }

    /**
     * Validates {@code katas} and, when {@code mutantRepeat} is above 0, grades the mutants
     * generated from each reference solution too, each up to {@code mutantRepeat} times, until it
     * passes once.
     */
    public List<KataValidation> validate(List<Kata> katas, int repeat, int mutantRepeat, Consumer<KataValidation> onDone)
            throws InterruptedException {
        boolean mutate = mutantRepeat > 0;
        Map<Kata, Map<Variant, List<Future<Verdict>>>> pending = new LinkedHashMap<>();
        Map<Kata, MutationCheck> checks = new LinkedHashMap<>();
        Map<Kata, List<Future<MutationCheck.Outcome>>> mutantRuns = new LinkedHashMap<>();
        try (MutantFolders mutantFolders = MutantFolders.create();
             ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "kata-validate");
            t.setDaemon(true);
            return t;
        })) {
            // Submit run by run, so that a kata's runs spread over time rather than all at once.
            Map<Kata, String> unusable = new LinkedHashMap<>();
            for (Kata kata : katas) {
                Map<Variant, List<Future<Verdict>>> byVariant = new LinkedHashMap<>();
                try {
                    for (Variant v : Variant.of(kata, mutantFolders)) {
                        byVariant.put(v, new ArrayList<>());
                    }
                } catch (MutantFolders.UnusableMutantException e) {
                    unusable.put(kata, e.getMessage());
                    continue;
                }
                pending.put(kata, byVariant);
            }
            for (int run = 0; run < repeat; run++) {
                for (Map.Entry<Kata, Map<Variant, List<Future<Verdict>>>> k : pending.entrySet()) {
                    for (Map.Entry<Variant, List<Future<Verdict>>> v : k.getValue().entrySet()) {
                        Kata kata = k.getKey();
                        Variant variant = v.getKey();
                        v.getValue().add(pool.submit(() -> variant.anyFailure()
                                ? grader.checkUntilFirstFailure(kata, variant.dir())
                                : grader.check(kata, variant.dir(), CheckListener.NONE)));
                    }
                }
            }
            if (mutate) {
                for (Kata kata : pending.keySet()) {
                    MutationCheck check = MutationCheck.prepare(kata);
                    checks.put(kata, check);
                    List<Future<MutationCheck.Outcome>> runs = new ArrayList<>();
                    for (int i = 0; i < check.mutants().size(); i++) {
                        int mutant = i;
                        runs.add(pool.submit(() -> check.grade(grader, mutant, mutantRepeat)));
                    }
                    mutantRuns.put(kata, runs);
                }
            }
            List<KataValidation> results = new ArrayList<>();
            try {
                for (Kata kata : katas) {
                    KataValidation validation;
                    if (unusable.containsKey(kata)) {
                        validation = new KataValidation(kata.id(), List.of(unusable.get(kata)), List.of(), List.of(),
                                null);
                    } else {
                        MutationReport mutation = null;
                        if (mutate) {
                            mutation = checks.get(kata).report(outcomes(mutantRuns.get(kata)));
                        }
                        validation = collect(kata, pending.get(kata), minMutants.applyAsInt(kata),
                                ContractAudit.of(kata, contractRequired.test(kata)), mutation);
                    }
                    results.add(validation);
                    onDone.accept(validation);
                }
            } catch (InterruptedException e) {
                // Cancelled: the checks running are interrupted (the grader kills their JVMs), the
                // rest never start, and nothing more is judged from checks cut short.
                pool.shutdownNow();
                throw e;
            }
            return results;
        }
    }

    /** A check cancelled because the tutor is ending: no result, and no internal error either. */
    private static void rethrowIfCancelled(ExecutionException e) {
        if (e.getCause() instanceof CheckCancelledException cancelled) {
            throw cancelled;
        }
    }

    private static List<MutationCheck.Outcome> outcomes(List<Future<MutationCheck.Outcome>> runs)
            throws InterruptedException {
        List<MutationCheck.Outcome> out = new ArrayList<>();
        for (Future<MutationCheck.Outcome> f : runs) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                rethrowIfCancelled(e);
                throw new IllegalStateException("a mutant's check failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return out;
    }

    private static KataValidation collect(Kata kata, Map<Variant, List<Future<Verdict>>> byVariant, int minMutants,
                                          ContractAudit contract, MutationReport mutation) throws InterruptedException {
        List<String> kataProblems = new ArrayList<>(contract.problems());
        if (kata.mutants().size() < minMutants) {
            kataProblems.add("has " + kata.mutants().size() + " mutant(s); at least " + minMutants
                    + (minMutants == 1 ? " is" : " are") + " needed");
        }
        List<VariantResult> variants = new ArrayList<>();
        for (Map.Entry<Variant, List<Future<Verdict>>> v : byVariant.entrySet()) {
            Variant variant = v.getKey();
            if (!Files.isDirectory(variant.dir())) {
                kataProblems.add(variant.label() + ": folder " + variant.dir() + " is missing");
                continue;
            }
            List<String> problems = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            List<Long> durations = new ArrayList<>();
            int run = 0;
            for (Future<Verdict> f : v.getValue()) {
                run++;
                try {
                    Verdict verdict = f.get();
                    reasons.add(verdict.passed() ? "pass"
                            : verdict.status() == dev.kata.grader.Status.INCONCLUSIVE ? "inconclusive"
                            : verdict.reason().id());
                    durations.add(verdict.durationMs());
                    String problem = variant.problemWith(verdict);
                    if (problem != null) {
                        problems.add("run " + run + ": " + problem);
                    }
                } catch (ExecutionException e) {
                    rethrowIfCancelled(e);
                    reasons.add("error");
                    problems.add("run " + run + ": the check itself failed: " + e.getCause().getMessage());
                }
            }
            durations.sort(null);
            long median = durations.isEmpty() ? 0 : durations.get(durations.size() / 2);
            variants.add(new VariantResult(variant, v.getValue().size(), problems, reasons, median));
        }
        return new KataValidation(kata.id(), kataProblems, contract.warnings(), variants, mutation);
    }
}
