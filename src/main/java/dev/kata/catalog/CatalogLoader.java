package dev.kata.catalog;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.kata.probe.api.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * Reads a pack ({@code pack.toml} and each {@code <id>/kata.toml}) and checks every field and
 * folder against docs/kata-format.md. All problems are reported together, each naming its file
 * and field. The count of mutants is not checked here: a kata in the making may have fewer.
 */
public final class CatalogLoader {
    /** The reasons a starter can be built to fail with, in the order docs/kata-format.md lists them. */
    static final List<Reason> PITFALLS = List.of(
            Reason.LEAK, Reason.DEADLOCK, Reason.RACE, Reason.LOST_WORK, Reason.TIMEOUT,
            Reason.TEST_FAILURE, Reason.WORKER_EXCEPTION, Reason.RESOURCE_LEAK, Reason.EXCEPTION);
    static final long DEFAULT_TEST_TIMEOUT_MS = 5_000;
    static final long DEFAULT_CHECK_TIMEOUT_MS = 30_000;
    private static final long MAX_TIMEOUT_MS = 600_000;

    private static final Pattern KATA_ID = Pattern.compile("[a-z][a-z0-9]*(?:-[a-z0-9]+)*");
    private static final Pattern PACKAGE_DECLARATION =
            Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern PACKAGE_DECLARATION_HERE = Pattern.compile("package\\s+([\\w.]+)\\s*;");
    private static final Set<String> PACK_FIELDS = Set.of("name", "version", "description", "include", "tracks");
    private static final Set<String> TRACK_FIELDS = Set.of("id", "title", "katas", "include");
    private static final Set<String> KATA_FIELDS = Set.of(
            "title", "summary", "pitfall", "test_timeout_ms", "check_timeout_ms", "jvm_args", "mutants", "equivalent");
    private static final Set<String> CONTRACT_FIELDS = Set.of("clauses");
    private static final Set<String> CLAUSE_FIELDS = Set.of("id", "says", "tests", "paths");
    /** A generated mutant's id: {@code operator:File.java:method:n} (see dev.kata.mutate.MutantId). */
    private static final Pattern GENERATED_MUTANT_ID = Pattern.compile("[a-z][a-z-]*:[A-Za-z_$][\\w$]*\\.java:[\\w$<>.]+:\\d+");
    /** The track that a top-level {@code include} fills, placed before the pack's own tracks. */
    static final String INCLUDED_TRACK_ID = "built-in";
    static final String INCLUDED_TRACK_TITLE = "Built-in katas";

    private final TomlMapper toml = new TomlMapper();
    private final Supplier<Path> builtIn;

    /** A loader for packs that include no built-in katas (the built-in pack itself, test packs). */
    public CatalogLoader() {
        this(null);
    }

    /**
     * @param builtIn where the built-in katas are, for packs whose {@code include} names some; asked
     *                only when a pack includes something. Null: such a pack is reported as a problem.
     */
    public CatalogLoader(Supplier<Path> builtIn) {
        this.builtIn = builtIn;
    }

    /** Whether {@code id} is a valid kata id: lower-case letters, digits and single dashes, e.g. {@code leak-alert}. */
    public static boolean isKataId(String id) {
        return KATA_ID.matcher(id).matches();
    }

    /** Whether {@code name} can be a Java package name (not a keyword). */
    public static boolean isJavaPackage(String name) {
        return SourceVersion.isName(name);
    }

    /** Loads the pack in {@code packDir}, or throws a {@link CatalogException} listing every problem. */
    public Catalog load(Path packDir) {
        Path dir = packDir.toAbsolutePath().normalize();
        Problems problems = new Problems(dir);
        Path packFile = dir.resolve("pack.toml");
        if (!Files.isRegularFile(packFile)) {
            problems.add(packFile, "missing: a pack is a folder with a pack.toml (see docs/kata-format.md)"
                    + PackFiles.nestedPackHint(dir));
            throw problems.exception();
        }
        JsonNode root = readToml(packFile, problems);
        if (root == null) {
            throw problems.exception();
        }
        TomlTable pack = new TomlTable(root, packFile, "", problems);
        pack.rejectUnknown(PACK_FIELDS);
        String name = pack.requiredString("name");
        String version = pack.requiredString("version");
        String description = pack.optionalString("description", "");
        List<String> topIncludes = pack.stringList("include", false);
        List<TomlTable> trackTables = pack.tableList("tracks", topIncludes.isEmpty());
        if (trackTables.isEmpty() && root.has("tracks")) {
            pack.problem("tracks", "needs at least one track");
        }

        Listing listing = new Listing(dir, problems);
        List<Track> tracks = new ArrayList<>();
        Set<String> trackIds = new HashSet<>();
        if (!topIncludes.isEmpty()) {
            trackIds.add(INCLUDED_TRACK_ID);
            List<Kata> katas = new ArrayList<>();
            for (String id : topIncludes) {
                listing.include(pack, "include", id, INCLUDED_TRACK_ID, katas);
            }
            tracks.add(new Track(INCLUDED_TRACK_ID, INCLUDED_TRACK_TITLE, katas));
        }
        for (TomlTable table : trackTables) {
            table.rejectUnknown(TRACK_FIELDS);
            String trackId = table.requiredString("id");
            String title = table.requiredString("title");
            if (trackId != null && !trackIds.add(trackId)) {
                table.problem("id", "'" + trackId + "' is used by another track"
                        + (trackId.equals(INCLUDED_TRACK_ID) && !topIncludes.isEmpty()
                        ? " (the one the top-level include makes)" : ""));
            }
            List<String> includes = table.stringList("include", false);
            List<String> ids = table.stringList("katas", includes.isEmpty());
            if (ids.isEmpty() && includes.isEmpty() && (table.has("katas") || table.has("include"))) {
                table.problem("katas", "needs at least one kata (its own in katas, built-in ones in include)");
            }
            String track = trackId == null ? "" : trackId;
            List<Kata> katas = new ArrayList<>();
            for (String id : includes) {
                listing.include(table, "include", id, track, katas);
            }
            for (String id : ids) {
                listing.own(table, "katas", id, track, katas);
            }
            if (trackId != null && title != null) {
                tracks.add(new Track(trackId, title, katas));
            }
        }
        if (problems.any()) {
            throw problems.exception();
        }
        return new Catalog(name, version, description, dir, tracks);
    }

    /** The katas listed so far in a pack: their ids and Java packages must not repeat. */
    private final class Listing {
        private final Path dir;
        private final Problems problems;
        private final Set<String> ids = new HashSet<>();
        private final Map<String, String> idByPackage = new HashMap<>();
        private Path builtInDir;
        private String builtInProblem;

        Listing(Path dir, Problems problems) {
            this.dir = dir;
            this.problems = problems;
        }

        /** A kata of the pack's own, in its folder. */
        void own(TomlTable table, String field, String id, String trackId, List<Kata> into) {
            if (!fresh(table, field, id)) {
                return;
            }
            Path kataDir = dir.resolve(id);
            if (!Files.isDirectory(kataDir)) {
                Path builtInKata = builtInDirQuietly() == null ? null : builtInDirQuietly().resolve(id);
                table.problem(field, "'" + id + "' has no folder " + problems.name(kataDir) + "/"
                        + (builtInKata != null && !builtInKata.startsWith(dir) && Files.isRegularFile(builtInKata.resolve("kata.toml"))
                        ? " (it is a built-in kata: list it in include instead)" : ""));
                return;
            }
            add(table, field, id, kataDir, trackId, into);
        }

        /** A built-in kata the pack includes. */
        void include(TomlTable table, String field, String id, String trackId, List<Kata> into) {
            if (!fresh(table, field, id)) {
                return;
            }
            Path from = builtInDir(table, field);
            if (from == null) {
                return;
            }
            Path kataDir = from.resolve(id);
            if (!Files.isRegularFile(kataDir.resolve("kata.toml"))) {
                List<String> close = Suggestions.closest(id, PackFiles.kataFolders(from));
                table.problem(field, "'" + id + "' is not a built-in kata"
                        + (close.isEmpty() ? "" : " (did you mean " + String.join(", ", close) + "?)")
                        + (Files.isDirectory(dir.resolve(id)) ? "; the pack's own katas go in katas" : ""));
                return;
            }
            add(table, field, id, kataDir, trackId, into);
        }

        private boolean fresh(TomlTable table, String field, String id) {
            if (!KATA_ID.matcher(id).matches()) {
                table.problem(field, "'" + id + "' is not a kata id (lower-case letters, digits and single dashes, e.g. leak-alert)");
                return false;
            }
            if (!ids.add(id)) {
                table.problem(field, "'" + id + "' is listed twice");
                return false;
            }
            return true;
        }

        private void add(TomlTable table, String field, String id, Path kataDir, String trackId, List<Kata> into) {
            Kata kata = readKata(kataDir, trackId, problems);
            if (kata == null) {
                return;
            }
            String other = idByPackage.putIfAbsent(kata.javaPackage(), id);
            if (other != null) {
                table.problem(field, "'" + id + "' and '" + other + "' would share the Java package "
                        + kata.javaPackage() + "; rename one");
                return;
            }
            into.add(kata);
        }

        private Path builtInDir(TomlTable table, String field) {
            Path found = builtInDirQuietly();
            if (found == null) {
                table.problem(field, builtInProblem);
                return null;
            }
            if (found.equals(dir)) {
                table.problem(field, "the built-in pack cannot include katas: list its own in katas");
                return null;
            }
            return found;
        }

        private Path builtInDirQuietly() {
            if (builtInDir == null && builtInProblem == null) {
                if (builtIn == null) {
                    builtInProblem = "this pack includes built-in katas, but none are available here";
                } else {
                    try {
                        builtInDir = builtIn.get().toAbsolutePath().normalize();
                    } catch (CatalogException e) {
                        builtInProblem = "this pack includes built-in katas, but " + e.getMessage();
                    }
                }
            }
            return builtInDir;
        }
    }

    /** Loads one kata folder on its own (for tools that grade a single kata), or throws. */
    public Kata loadKata(Path kataDir, String trackId) {
        Path dir = kataDir.toAbsolutePath().normalize();
        Problems problems = new Problems(dir.getParent() == null ? dir : dir.getParent());
        Kata kata = readKata(dir, trackId, problems);
        if (kata == null || problems.any()) {
            throw problems.exception();
        }
        return kata;
    }

    private Kata readKata(Path dir, String trackId, Problems problems) {
        int before = problems.count();
        String id = dir.getFileName().toString();
        String javaPackage = id.replace("-", "");
        if (!SourceVersion.isName(javaPackage)) {
            problems.add(dir, "'" + javaPackage + "' (the id without dashes) is not a valid Java package name");
        }
        Path kataFile = dir.resolve("kata.toml");
        JsonNode root = Files.isRegularFile(kataFile) ? readToml(kataFile, problems) : null;
        if (!Files.isRegularFile(kataFile)) {
            problems.add(kataFile, "missing");
        }
        String title = null;
        String summary = null;
        Reason pitfall = null;
        long testTimeout = DEFAULT_TEST_TIMEOUT_MS;
        long checkTimeout = DEFAULT_CHECK_TIMEOUT_MS;
        List<String> jvmArgs = List.of();
        Map<String, String> mutants = new LinkedHashMap<>();
        Map<String, String> equivalent = new LinkedHashMap<>();
        if (root != null) {
            TomlTable table = new TomlTable(root, kataFile, "", problems);
            table.rejectUnknown(KATA_FIELDS);
            title = table.requiredString("title");
            summary = table.requiredString("summary");
            pitfall = pitfall(table);
            testTimeout = table.optionalPositive("test_timeout_ms", DEFAULT_TEST_TIMEOUT_MS, MAX_TIMEOUT_MS);
            checkTimeout = table.optionalPositive("check_timeout_ms", DEFAULT_CHECK_TIMEOUT_MS, MAX_TIMEOUT_MS);
            if (checkTimeout < testTimeout) {
                table.problem("check_timeout_ms", checkTimeout + " is shorter than test_timeout_ms (" + testTimeout + ")");
            }
            jvmArgs = table.stringList("jvm_args", false);
            mutants = table.stringTable("mutants");
            equivalent = table.stringTable("equivalent");
            equivalent.keySet().stream().filter(k -> !GENERATED_MUTANT_ID.matcher(k).matches()).forEach(k ->
                    table.problem("equivalent." + k, "not a generated mutant id (operator:File.java:method:n, "
                            + "as kata validate --mutate prints it)"));
        }

        List<String> files = javaFiles(dir.resolve("starter"), "starter", problems, true);
        List<String> support = javaFiles(dir.resolve("support"), "support", problems, false);
        support.stream().filter(files::contains).forEach(name -> problems.add(dir.resolve("support").resolve(name),
                "is also in starter/: a file is either the learner's (starter/) or not (support/)"));
        checkVariantFiles(dir.resolve("solution"), "solution", dir.resolve("starter"), files, support, problems);
        javaFiles(dir.resolve("tests"), "tests", problems, true);
        checkMutants(dir, kataFile, files, support, mutants, problems);
        Contract contract = Files.isRegularFile(dir.resolve("contract.toml"))
                ? readContract(dir.resolve("contract.toml"), problems) : null;
        checkPackages(dir, javaPackage, problems);
        checkText(dir.resolve("story.md"), problems);
        checkText(dir.resolve("solution.md"), problems);
        if (checkText(dir.resolve("hints.md"), problems) && KataTexts.splitHints(read(dir.resolve("hints.md"))).isEmpty()) {
            problems.add(dir.resolve("hints.md"), "has no hint (levels are separated by lines holding only ---)");
        }
        if (problems.count() > before) {
            return null;
        }
        return new Kata(id, dir, title, trackId, pitfall, summary, javaPackage, files, Map.copyOf(mutants),
                Duration.ofMillis(testTimeout), Duration.ofMillis(checkTimeout), List.copyOf(jvmArgs),
                List.copyOf(support), Map.copyOf(equivalent), contract);
    }

    /** {@code contract.toml}: its shape only; which tests exist is for {@code kata validate} to check. */
    private Contract readContract(Path file, Problems problems) {
        JsonNode root = readToml(file, problems);
        if (root == null) {
            return null;
        }
        TomlTable table = new TomlTable(root, file, "", problems);
        table.rejectUnknown(CONTRACT_FIELDS);
        List<Contract.Clause> clauses = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (TomlTable clause : table.tableList("clauses", true)) {
            clause.rejectUnknown(CLAUSE_FIELDS);
            String id = clause.requiredString("id");
            String says = clause.requiredString("says");
            if (!clause.has("tests")) {
                clause.problem("tests", "missing (the hidden tests that hold this clause)");
            }
            List<String> tests = clause.stringList("tests", false);
            List<String> paths = clause.stringList("paths", false);
            if (id != null && !KATA_ID.matcher(id).matches()) {
                clause.problem("id", "'" + id + "' is not kebab-case (lower-case letters, digits and single dashes)");
            } else if (id != null && !ids.add(id)) {
                clause.problem("id", "'" + id + "' is used by another clause");
            }
            if (id != null && says != null) {
                clauses.add(new Contract.Clause(id, says, List.copyOf(tests), List.copyOf(paths)));
            }
        }
        return new Contract(file, List.copyOf(clauses));
    }

    private static Reason pitfall(TomlTable table) {
        String value = table.requiredString("pitfall");
        if (value == null) {
            return null;
        }
        Reason reason = Reason.fromId(value);
        if (reason == null || !PITFALLS.contains(reason)) {
            table.problem("pitfall", "'" + value + "' is not a verdict reason (one of: "
                    + PITFALLS.stream().map(Reason::id).collect(Collectors.joining(", ")) + ")");
            return null;
        }
        return reason;
    }

    private JsonNode readToml(Path file, Problems problems) {
        try {
            JsonNode node = toml.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                problems.add(file, "is empty");
                return null;
            }
            return node;
        } catch (JacksonException e) {
            problems.add(file, "not valid TOML: " + e.getOriginalMessage());
        } catch (IOException e) {
            problems.add(file, "cannot be read: " + e.getMessage());
        }
        return null;
    }

    /** The {@code .java} file names directly in {@code dir}, sorted. */
    private static List<String> javaFiles(Path dir, String shown, Problems problems, boolean required) {
        if (!Files.isDirectory(dir)) {
            if (required) {
                problems.add(dir, "missing folder (" + shown + "/ holds .java files)");
            }
            return List.of();
        }
        List<String> names = javaFileNames(dir);
        if (names.isEmpty()) {
            problems.add(dir, "has no .java file");
        }
        return names;
    }

    static List<String> javaFileNames(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".java"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * A variant ({@code solution/}, {@code mutants/<name>/}) holds only the starter files it changes:
     * at least one, none that the starter lacks, none the same as the starter's, no support file.
     */
    private static void checkVariantFiles(Path dir, String shown, Path starterDir, List<String> starterFiles,
                                          List<String> support, Problems problems) {
        List<String> names = javaFiles(dir, shown, problems, true);
        for (String name : names) {
            Path file = dir.resolve(name);
            if (support.contains(name)) {
                problems.add(file, "is a support file: support/ is the same for every variant (delete it here)");
            } else if (!starterFiles.contains(name)) {
                problems.add(file, "is not in starter/: a variant holds only the starter files it changes");
            } else if (read(file).equals(read(starterDir.resolve(name)))) {
                problems.add(file, "is the same as starter/" + name
                        + ": delete it (a file a variant does not hold is the starter's)");
            }
        }
    }

    private static void checkMutants(Path dir, Path kataFile, List<String> starterFiles, List<String> support,
                                     Map<String, String> described, Problems problems) {
        Path mutantsDir = dir.resolve("mutants");
        Set<String> folders = new TreeSet<>();
        Set<String> patches = new TreeSet<>();
        if (Files.isDirectory(mutantsDir)) {
            try (Stream<Path> entries = Files.list(mutantsDir)) {
                entries.forEach(p -> {
                    String name = p.getFileName().toString();
                    if (name.startsWith(".")) {
                        return;
                    }
                    if (Files.isDirectory(p)) {
                        folders.add(name);
                    } else if (name.endsWith(MutantPatch.SUFFIX)) {
                        patches.add(name.substring(0, name.length() - MutantPatch.SUFFIX.length()));
                    } else {
                        problems.add(p, "is neither a folder nor a " + MutantPatch.SUFFIX
                                + " file (a mutant is one or the other)");
                    }
                });
            } catch (IOException e) {
                problems.add(mutantsDir, "cannot be read: " + e.getMessage());
            }
        }
        for (String folder : folders) {
            checkVariantFiles(mutantsDir.resolve(folder), "mutants/" + folder, dir.resolve("starter"), starterFiles,
                    support, problems);
            if (patches.contains(folder)) {
                problems.add(mutantsDir.resolve(folder + MutantPatch.SUFFIX), "has the name of the folder mutants/"
                        + folder + "/ (a mutant is a folder or a patch, not both)");
            }
        }
        Set<String> mutants = new TreeSet<>(folders);
        mutants.addAll(patches);
        for (String mutant : mutants) {
            if (!described.containsKey(mutant)) {
                problems.add(kataFile, "mutants", "no line for mutants/" + mutant
                        + (folders.contains(mutant) ? "/" : MutantPatch.SUFFIX) + " (say why that fix is wrong)");
            }
        }
        for (String name : described.keySet()) {
            if (!mutants.contains(name)) {
                problems.add(kataFile, "mutants." + name, "there is neither a folder mutants/" + name
                        + "/ nor a file mutants/" + name + MutantPatch.SUFFIX);
            }
        }
    }

    private static void checkPackages(Path dir, String javaPackage, Problems problems) {
        List<Path> folders = new ArrayList<>(List.of(dir.resolve("starter"), dir.resolve("support"), dir.resolve("solution"), dir.resolve("tests")));
        Path mutantsDir = dir.resolve("mutants");
        if (Files.isDirectory(mutantsDir)) {
            try (Stream<Path> entries = Files.list(mutantsDir)) {
                entries.filter(Files::isDirectory).sorted().forEach(folders::add);
            } catch (IOException e) {
                // reported by checkMutants
            }
        }
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            for (String name : javaFileNames(folder)) {
                Path file = folder.resolve(name);
                Optional<String> declared = declaredPackage(read(file));
                if (declared.isEmpty()) {
                    problems.add(file, "declares no package (every file of the kata must say `package " + javaPackage + ";`)");
                } else if (!declared.get().equals(javaPackage)) {
                    problems.add(file, "declares package " + declared.get() + ", but the kata's package is "
                            + javaPackage + " (its id without dashes)");
                }
            }
        }
    }

    static Optional<String> declaredPackage(String source) {
        // Most files start with it, after a comment or two: stripping every comment of every file
        // of a pack took about 50 ms of each command's start.
        Matcher first = PACKAGE_DECLARATION_HERE.matcher(source).region(afterCommentsAndBlanks(source), source.length());
        if (first.lookingAt()) {
            return Optional.of(first.group(1));
        }
        String code = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
        Matcher matcher = PACKAGE_DECLARATION.matcher(code);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** Where the code of {@code source} starts: past the leading blanks, line comments and block comments. */
    private static int afterCommentsAndBlanks(String source) {
        int i = 0;
        int n = source.length();
        while (i < n) {
            if (Character.isWhitespace(source.charAt(i))) {
                i++;
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return i;
    }

    private static boolean checkText(Path file, Problems problems) {
        if (!Files.isRegularFile(file)) {
            problems.add(file, "missing");
            return false;
        }
        try {
            if (Files.readString(file).isBlank()) {
                problems.add(file, "is empty");
                return false;
            }
        } catch (IOException e) {
            problems.add(file, "cannot be read as UTF-8 text: " + e);
            return false;
        }
        return true;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
