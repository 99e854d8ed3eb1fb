package dev.kata.workspace;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.kata.KataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The settings in {@code .kata/workspace.toml}.
 *
 * @param format the layout version of the workspace (1)
 * @param pack   a pack to use instead of the built-in one, or null; relative to the workspace root
 */
public record WorkspaceSettings(int format, String pack) {
    public static final int FORMAT = 1;

    static String template() {
        return """
                # A kata workspace: your files are in src/main/java, your progress in .kata/progress.json.
                format = %d

                # Use the katas of another pack instead of the built-in ones:
                # pack = "/path/to/a/pack"
                """.formatted(FORMAT);
    }

    public static WorkspaceSettings read(Path file) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            throw new KataException(file + ": not valid TOML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new KataException(file + ": cannot be read: " + e.getMessage());
        }
        if (root == null || root.isEmpty()) {
            return new WorkspaceSettings(FORMAT, null);
        }
        JsonNode format = root.get("format");
        if (format != null && (!format.isIntegralNumber() || format.asInt() < 1)) {
            throw new KataException(file + ": format: must be a whole number, got " + format);
        }
        if (format != null && format.asInt() > FORMAT) {
            throw new KataException(file + ": format: " + format.asInt()
                    + " was written by a newer kata; update kata to use this workspace");
        }
        JsonNode pack = root.get("pack");
        if (pack != null && (!pack.isTextual() || pack.asText().isBlank())) {
            throw new KataException(file + ": pack: must be the path of a pack folder");
        }
        return new WorkspaceSettings(format == null ? FORMAT : format.asInt(), pack == null ? null : pack.asText());
    }

    /** The pack folder this workspace asks for, resolved against its root; empty means the built-in pack. */
    public Optional<Path> packDir(Path workspaceRoot) {
        if (pack == null) {
            return Optional.empty();
        }
        return Optional.of(workspaceRoot.resolve(pack).normalize());
    }

    static boolean exists(Path root) {
        return Files.isRegularFile(root.resolve(Workspace.STATE_DIR).resolve(Workspace.SETTINGS_FILE));
    }
}
