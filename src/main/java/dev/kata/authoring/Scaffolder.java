package dev.kata.authoring;

import dev.kata.KataException;
import dev.kata.TempFiles;
import dev.kata.catalog.CatalogLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kata new ID --pack PATH}: writes a kata folder that validates as it is and adds its id
 * to the pack's manifest (creating {@code pack.toml} if there is none). Nothing that exists is
 * overwritten; the manifest is changed only once the kata's files are in place.
 */
public final class Scaffolder {

    /**
     * What was made.
     *
     * @param kataDir        the new kata's folder
     * @param files          its files, relative to it
     * @param manifest       the pack's pack.toml
     * @param manifestCreated whether pack.toml was created (else it was edited)
     * @param trackId        the track the kata was added to
     * @param newTrack       whether that track was added to pack.toml
     */
    public record Result(Path kataDir, List<String> files, Path manifest, boolean manifestCreated, String trackId,
                         boolean newTrack) {
    }

    /**
     * @param packDir the pack folder (created if missing)
     * @param id      the kata id: lower-case words joined by single dashes
     * @param title   the kata's title, or null for one made from the id
     * @param trackId the track to add it to, or null for the last one (a new track if there is none)
     */
    public Result create(Path packDir, String id, String title, String trackId) {
        checkId(id);
        Path pack = packDir.toAbsolutePath().normalize();
        Path kataDir = pack.resolve(id);
        if (Files.exists(kataDir)) {
            throw new KataException(kataDir + " already exists: pick another id, or remove it first.");
        }
        Path manifest = pack.resolve("pack.toml");
        boolean created = !Files.exists(manifest);
        PackManifest.Edit edit;
        try {
            if (created) {
                edit = PackManifest.create(packName(pack), trackId, id);
            } else {
                String text = Files.readString(manifest, StandardCharsets.UTF_8);
                if (PackManifest.allIds(text).contains(id)) {
                    throw new KataException(manifest + " already lists " + id + " (an own or an included kata).");
                }
                edit = PackManifest.addKata(text, trackId, id);
            }
        } catch (KataException e) {
            if (e.getMessage().startsWith(manifest.toString())) {
                throw e;
            }
            throw new KataException(manifest + ": " + e.getMessage() + "; nothing was created. Add \"" + id
                    + "\" to a track's katas by hand, or fix the file, and run kata new again.");
        } catch (IOException e) {
            throw new KataException(manifest + ": cannot be read: " + e.getMessage(), e);
        }
        Map<String, String> files = KataTemplate.files(id.replace("-", ""), title == null || title.isBlank()
                ? titleFor(id) : title.strip());
        writeKata(pack, kataDir, files);
        try {
            writeAtomically(manifest, edit.text());
        } catch (IOException e) {
            throw new KataException("created " + kataDir + ", but could not write " + manifest + " (" + e.getMessage()
                    + "): add \"" + id + "\" to a track's katas there by hand.", e);
        }
        return new Result(kataDir, new ArrayList<>(files.keySet()), manifest, created, edit.trackId(), edit.newTrack());
    }

    /** A title made from an id: {@code billing-export} becomes "Billing export". */
    static String titleFor(String id) {
        String words = id.replace('-', ' ');
        return words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }

    private static void checkId(String id) {
        if (!CatalogLoader.isKataId(id)) {
            throw new KataException("'" + id + "' is not a kata id: use lower-case letters, digits and single dashes, "
                    + "starting with a letter (e.g. billing-export).");
        }
        String javaPackage = id.replace("-", "");
        if (!CatalogLoader.isJavaPackage(javaPackage)) {
            throw new KataException("'" + id + "' would give the Java package '" + javaPackage
                    + "', which is a Java keyword: pick another id.");
        }
    }

    private static String packName(Path pack) {
        Path name = pack.getFileName();
        return name == null ? "team" : name.toString();
    }

    /** Writes the kata into a hidden folder next to its place, then moves it there in one step. */
    private static void writeKata(Path pack, Path kataDir, Map<String, String> files) {
        Path staging = null;
        try {
            Files.createDirectories(pack);
            // Not createTempDirectory: its owner-only permissions would stay on the kata folder.
            staging = Files.createDirectory(pack.resolve("." + kataDir.getFileName() + ".new-" + ProcessHandle.current().pid()
                    + "-" + System.nanoTime()));
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path target = staging.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
            }
            Files.move(staging, kataDir);
        } catch (IOException e) {
            TempFiles.deleteQuietly(staging);
            throw new KataException("could not create " + kataDir + ": " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
