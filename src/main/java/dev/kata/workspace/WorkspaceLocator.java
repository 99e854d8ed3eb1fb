package dev.kata.workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the workspace to use, in this order: the {@code -w DIR} option, the environment variable
 * {@code KATA_WORKSPACE}, the nearest folder at or above the current one holding
 * {@code .kata/workspace.toml} (like git), then the default workspace {@code ~/kata-workspace}.
 */
public final class WorkspaceLocator {
    public static final String ENV = "KATA_WORKSPACE";
    public static final String DEFAULT_NAME = "kata-workspace";

    private final Path option;
    private final Map<String, String> env;
    private final Path cwd;
    private final Path home;

    /**
     * @param option the {@code -w} value, or null
     * @param env    the environment
     * @param cwd    the current folder
     * @param home   the user's home folder
     */
    public WorkspaceLocator(Path option, Map<String, String> env, Path cwd, Path home) {
        this.option = option;
        this.env = env;
        this.cwd = cwd.toAbsolutePath().normalize();
        this.home = home.toAbsolutePath().normalize();
    }

    public Workspace locate() {
        if (option != null) {
            return existing(cwd.resolve(option).normalize(), "");
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return existing(cwd.resolve(fromEnv).normalize(), ENV + "=");
        }
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (WorkspaceSettings.exists(dir)) {
                return new Workspace(dir);
            }
        }
        Path fallback = home.resolve(DEFAULT_NAME);
        if (WorkspaceSettings.exists(fallback)) {
            return new Workspace(fallback);
        }
        throw new NoWorkspaceException("no kata workspace here (none in " + cwd + " or above it, nor "
                + display(fallback) + "). Run `kata init DIR` to make one, or just `kata` to create "
                + display(fallback) + " and start the first kata.");
    }

    /** Where a bare {@code kata} creates a workspace when there is none: {@code -w}, then KATA_WORKSPACE, then ~/kata-workspace. */
    public Path defaultLocation() {
        if (option != null) {
            return cwd.resolve(option).normalize();
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return cwd.resolve(fromEnv).normalize();
        }
        return home.resolve(DEFAULT_NAME);
    }

    private Workspace existing(Path dir, String origin) {
        if (WorkspaceSettings.exists(dir)) {
            return new Workspace(dir);
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new NoWorkspaceException(origin + dir + " is a file: a workspace is a folder. Name the workspace's"
                    + " folder, or run `kata init DIR` to make one.", true);
        }
        String what = Files.isDirectory(dir) ? "is not a kata workspace (it has no .kata/workspace.toml)" : "does not exist";
        throw new NoWorkspaceException(origin + dir + " " + what + ". Run `kata init " + dir + "` to make one there.", true);
    }

    private String display(Path path) {
        return path.startsWith(home) ? "~/" + home.relativize(path) : path.toString();
    }
}
