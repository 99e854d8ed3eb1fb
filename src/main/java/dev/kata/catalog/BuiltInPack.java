package dev.kata.catalog;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the pack that ships with kata lives: {@code <kata.home>/katas}, where {@code kata.home} is
 * set by the launcher; else next to the build output the code runs from
 * ({@code target/kata.jar} or {@code target/classes}: two levels up).
 */
public final class BuiltInPack {
    private BuiltInPack() {
    }

    /**
     * @param kataHome     the {@code kata.home} system property, or null
     * @param codeLocation the jar or classes folder the tutor runs from, or null
     */
    public static Path locate(String kataHome, Path codeLocation) {
        if (kataHome != null && !kataHome.isBlank()) {
            return Path.of(kataHome).toAbsolutePath().normalize().resolve("katas");
        }
        if (codeLocation != null) {
            Path target = codeLocation.toAbsolutePath().normalize().getParent();
            if (target != null && target.getParent() != null) {
                Path candidate = target.getParent().resolve("katas");
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        throw new CatalogException("cannot find the built-in katas: run kata through its launcher, "
                + "or set -Dkata.home=<the kata folder>");
    }

    /** The jar or classes folder this class was loaded from, or null if unknown. */
    public static Path codeLocation() {
        try {
            var source = BuiltInPack.class.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
