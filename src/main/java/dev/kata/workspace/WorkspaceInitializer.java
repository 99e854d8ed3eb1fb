package dev.kata.workspace;

import dev.kata.KataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes a folder a workspace ({@code kata init DIR}): the settings, a source tree and a minimal
 * {@code pom.xml} so that an IDE opens it as a Java 21 project. Never overwrites a file.
 */
public final class WorkspaceInitializer {

    /** What {@code init} did: the files it created and those it found already there and left alone. */
    public record Result(Workspace workspace, List<Path> created, List<Path> kept) {
    }

    /**
     * @param force also fill a folder that already holds other files (existing files are kept)
     */
    public Result init(Path dir, boolean force) {
        return init(dir, force, null);
    }

    /**
     * @param force also fill a folder that already holds other files (existing files are kept)
     * @param pack  the pack to write into the settings, as it should appear there, or null for the built-in one
     */
    public Result init(Path dir, boolean force, String pack) {
        Path root = dir.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new KataException(root + " is a file, not a folder.");
        }
        if (WorkspaceSettings.exists(root)) {
            throw new KataException(root + " is already a kata workspace. Use it with `kata -w " + root
                    + " ...`, or run kata from inside it.");
        }
        if (!force && !isEmptyOrMissing(root)) {
            throw new KataException(root + " is not empty. Pick a new or empty folder, or add --force to add "
                    + "the workspace files next to what is there (nothing is overwritten).");
        }
        List<Path> created = new ArrayList<>();
        List<Path> kept = new ArrayList<>();
        try {
            Workspace workspace = new Workspace(root);
            Files.createDirectories(workspace.sourceRoot());
            Files.createDirectories(workspace.stateDir());
            for (Map.Entry<Path, String> file : files(workspace, pack).entrySet()) {
                if (writeNew(file.getKey(), file.getValue())) {
                    created.add(file.getKey());
                } else {
                    kept.add(file.getKey());
                }
            }
            return new Result(workspace, created, kept);
        } catch (IOException e) {
            throw new KataException("could not create the workspace in " + root + ": " + e.getMessage(), e);
        }
    }

    private static Map<Path, String> files(Workspace workspace, String pack) {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(workspace.settingsFile(), WorkspaceSettings.template(pack));
        files.put(workspace.root().resolve("pom.xml"), POM);
        files.put(workspace.root().resolve(".gitignore"), GITIGNORE);
        files.put(workspace.root().resolve("README.txt"), README);
        return files;
    }

    private static boolean writeNew(Path file, String text) throws IOException {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    private static boolean isEmptyOrMissing(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new KataException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static final String POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- Lets an IDE open this workspace as a Java 21 project. The tutor does not use it:
                 `kata check ID` compiles and tests your files itself. -->
            <project xmlns="http://maven.apache.org/POM/4.0.0"
                     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
              <modelVersion>4.0.0</modelVersion>
              <groupId>dev.kata.workspace</groupId>
              <artifactId>kata-workspace</artifactId>
              <version>1</version>
              <properties>
                <maven.compiler.release>21</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
              </properties>
            </project>
            """;

    private static final String GITIGNORE = """
            # kata's own scratch files; .kata/progress.json and your sources are worth keeping
            .kata/backups/
            .kata/lock
            .kata/*.tmp
            .kata/progress.json.corrupt-*
            target/
            """;

    private static final String README = """
            This is a kata workspace: your copies of the exercises live here.

              kata list            the katas and where you are
              kata start ID        copy a kata's starter file here and tell its story
              kata path ID         the file(s) to edit
              kata check ID        grade your fix with the hidden tests
              kata hint ID         one more hint each time
              kata reset ID        back to the starter (your file is backed up in .kata/backups)

            Your files are in src/main/java/<kata>/; open this folder in your IDE as a Maven project.
            Progress is kept in .kata/progress.json.
            """;
}
