package dev.kata.workspace;

import dev.kata.catalog.Kata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A learner's workspace: a plain Java source tree ({@code src/main/java/<package>/}) plus the
 * tutor's own state in {@code .kata/} (settings, progress, backups, lock).
 */
public record Workspace(Path root) {
    public static final String STATE_DIR = ".kata";
    public static final String SETTINGS_FILE = "workspace.toml";

    public Workspace {
        root = root.toAbsolutePath().normalize();
    }

    public Path sourceRoot() {
        return root.resolve("src").resolve("main").resolve("java");
    }

    /** The folder the kata's files live in: {@code <root>/src/main/java/<javaPackage>}. */
    public Path sourceDir(Kata kata) {
        return sourceRoot().resolve(kata.javaPackage().replace('.', '/'));
    }

    public Path learnerFile(Kata kata, String name) {
        return sourceDir(kata).resolve(name);
    }

    public List<Path> learnerFiles(Kata kata) {
        return kata.files().stream().map(name -> learnerFile(kata, name)).toList();
    }

    /**
     * The kata's support files beside the learner's: copies to read and for the IDE to compile
     * against. Checks never compile these copies, only the kata's own.
     */
    public List<Path> supportCopies(Kata kata) {
        return kata.support().stream().map(name -> learnerFile(kata, name)).toList();
    }

    /** Started means at least one of the kata's files is in the workspace. */
    public boolean isStarted(Kata kata) {
        return learnerFiles(kata).stream().anyMatch(Files::exists);
    }

    public Path stateDir() {
        return root.resolve(STATE_DIR);
    }

    public Path settingsFile() {
        return stateDir().resolve(SETTINGS_FILE);
    }

    public Path progressFile() {
        return stateDir().resolve("progress.json");
    }

    public Path lockFile() {
        return stateDir().resolve("lock");
    }

    public Path backupsDir() {
        return stateDir().resolve("backups");
    }

    public WorkspaceSettings settings() {
        return WorkspaceSettings.read(settingsFile());
    }
}
