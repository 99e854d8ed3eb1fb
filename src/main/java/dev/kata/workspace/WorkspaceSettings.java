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
        return template(null);
    }

    /** @param pack the pack to use, as it should be written ({@code /} separators), or null for the built-in one */
    static String template(String pack) {
        String packLine = pack == null
                ? "# pack = \"../path/to/a/pack\""
                : "pack = " + tomlString(pack);
        return """
                # A kata workspace: your files are in src/main/java, your progress in .kata/progress.json.
                format = %d

                # Use the katas of another pack instead of the built-in ones
                # (a path relative to this workspace folder, or absolute, or ~/...):
                %s
                """.formatted(FORMAT, packLine);
    }

    private static String tomlString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
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

    /**
     * The pack folder this workspace asks for: relative to its root, or absolute, or under
     * {@code home} for {@code ~/...}. Empty means the built-in pack.
     */
    public Optional<Path> packDir(Path workspaceRoot, Path home) {
        if (pack == null) {
            return Optional.empty();
        }
        String text = pack.strip();
        if (text.equals("~") || text.startsWith("~/")) {
            return Optional.of(home.resolve(text.substring(1).replaceFirst("^/", "")).normalize());
        }
        return Optional.of(workspaceRoot.resolve(text).normalize());
    }

    public Optional<Path> packDir(Path workspaceRoot) {
        return packDir(workspaceRoot, Path.of(System.getProperty("user.home")));
    }

    static boolean exists(Path root) {
        return Files.isRegularFile(root.resolve(Workspace.STATE_DIR).resolve(Workspace.SETTINGS_FILE));
    }
}
