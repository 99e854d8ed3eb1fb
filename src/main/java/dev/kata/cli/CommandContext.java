package dev.kata.cli;

import dev.kata.KataException;
import dev.kata.catalog.BuiltInPack;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import dev.kata.catalog.UnknownKataException;
import dev.kata.render.PathDisplay;
import dev.kata.render.Style;
import dev.kata.workspace.NoWorkspaceException;
import dev.kata.workspace.ProgressStore;
import dev.kata.workspace.Workspace;
import dev.kata.workspace.WorkspaceLocator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * What the commands of one run share: the streams, the style, and the workspace and catalog,
 * found once and only when a command needs them.
 */
public final class CommandContext {
    private final Launch launch;
    private final Path workspaceOption;
    private final Style style;
    private Workspace workspace;
    private Catalog catalog;

    CommandContext(Launch launch, Path workspaceOption, Style.ColorMode colorMode) {
        this.launch = launch;
        this.workspaceOption = workspaceOption;
        this.style = Style.detect(colorMode, launch.env(), launch.stdoutTerminal());
    }

    /** What this run took from the world outside (the interactive session runs further commands with it). */
    public Launch launch() {
        return launch;
    }

    public PrintWriter out() {
        return launch.out();
    }

    public PrintWriter err() {
        return launch.err();
    }

    public Style style() {
        return style;
    }

    public Clock clock() {
        return launch.clock();
    }

    public boolean stdoutTerminal() {
        return launch.stdoutTerminal();
    }

    public Path cwd() {
        return launch.cwd();
    }

    /** The width to wrap long messages at: {@code $COLUMNS} when the shell exports it, else 100. */
    public int columns() {
        try {
            return Integer.parseInt(launch.env().getOrDefault("COLUMNS", "100").strip());
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    public PathDisplay paths() {
        return new PathDisplay(launch.cwd());
    }

    public WorkspaceLocator locator() {
        return new WorkspaceLocator(workspaceOption, launch.env(), launch.cwd(), launch.home());
    }

    /** The workspace, or a {@link NoWorkspaceException} that says how to make one. */
    public Workspace workspace() {
        if (workspace == null) {
            workspace = locator().locate();
        }
        return workspace;
    }

    public Optional<Workspace> workspaceIfAny() {
        try {
            return Optional.of(workspace());
        } catch (NoWorkspaceException e) {
            return Optional.empty();
        }
    }

    /** Makes a workspace created during this run the one the following steps use. */
    public void useWorkspace(Workspace created) {
        this.workspace = created;
        this.catalog = null;
    }

    /** The pack the workspace asks for, or the built-in one (unless {@link #usePack} chose another). */
    public Catalog catalog() {
        if (catalog == null) {
            Optional<Path> pack = workspaceIfAny().flatMap(this::workspacePack);
            catalog = loader().load(pack.orElseGet(this::builtInPackDir));
        }
        return catalog;
    }

    /** Makes the pack in {@code dir} ({@code --pack}, relative to the current folder) the catalog of this run. */
    public Catalog usePack(Path dir) {
        catalog = loader().load(packDir(dir));
        return catalog;
    }

    /** A {@code --pack} value as an absolute folder: relative to the current folder, {@code ~/} for home. */
    public Path packDir(Path option) {
        String text = option.toString();
        if (text.equals("~") || text.startsWith("~/")) {
            return launch.home().resolve(text.substring(1).replaceFirst("^/", "")).normalize();
        }
        return launch.cwd().resolve(option).normalize();
    }

    /** Reads packs; the built-in katas a pack includes come from the install. */
    public CatalogLoader loader() {
        return new CatalogLoader(this::builtInPackDir);
    }

    public Path builtInPackDir() {
        return BuiltInPack.locate(launch.kataHome(), launch.codeLocation());
    }

    private Optional<Path> workspacePack(Workspace w) {
        Optional<Path> dir = w.settings().packDir(w.root(), launch.home());
        if (dir.isPresent() && !Files.isDirectory(dir.get())) {
            throw new KataException(paths().show(w.settingsFile()) + ": pack: " + dir.get() + " does not exist"
                    + " (a relative path there is relative to the workspace, " + w.root() + ")");
        }
        return dir;
    }

    public Kata kata(String id) {
        Catalog pack = catalog();
        try {
            return pack.require(id);
        } catch (UnknownKataException e) {
            Path builtIn = builtInPackDir();
            if (CatalogLoader.isKataId(id) && !pack.dir().equals(builtIn) && Files.isRegularFile(builtIn.resolve(id).resolve("kata.toml"))) {
                throw new KataException("'" + id + "' is a built-in kata, but not in this workspace's pack (" + pack.name()
                        + ", " + pack.dir() + "). Run `kata list` to see the pack's katas.");
            }
            throw e;
        }
    }

    public ProgressStore progress() {
        return new ProgressStore(workspace(), catalog().katas(), err()::println, clock());
    }

    /** Who a progress export is about: the option, else git's user.name, else $USER. */
    public String learnerName(String option, Path workspaceRoot) {
        return LearnerName.resolve(option, launch, workspaceRoot);
    }

    /** Where the grader keeps its caches: {@code $XDG_CACHE_HOME/kata}, else {@code ~/.cache/kata}. */
    public Path cacheDir() {
        return launch.cacheDir();
    }
}
