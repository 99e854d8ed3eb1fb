package dev.kata.grader;

import dev.kata.TempFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Hidden tests compiled once and kept between checks. Most of a check's compiling is the hidden
 * tests, which are the same every time; what they are compiled against is only what the learner's
 * classes show them ({@link ApiSurface}). So a check compiles the learner's files alone, and if
 * their surface is the one the kept tests were compiled against, it takes the kept test classes;
 * otherwise it compiles everything together, as before, and keeps the result. Kept per set of
 * hidden tests, class path, compiler options and JDK, under the grader's cache folder; a damaged or
 * missing entry only means compiling again.
 */
final class CompiledTests {
    /** Bumped when what is kept, or how the key is made, changes. */
    private static final String FORMAT = "1";
    private static final String MANIFEST = "manifest.txt";
    private static final int MAX_ENTRIES = 64;

    private final Path root;

    CompiledTests(Path root) {
        this.root = root;
    }

    /** What identifies one set of compiled tests. */
    static String key(List<Path> learnerFiles, List<Path> testFiles, List<Path> classPath, List<String> options)
            throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, "format " + FORMAT + " jdk " + Runtime.version() + " options " + options);
            for (Path learner : learnerFiles) {
                // The learner's file names: their contents are what changes between checks.
                update(sha, "learner " + learner.getFileName());
            }
            for (Path test : testFiles) {
                update(sha, "test " + test.getFileName());
                sha.update(Files.readAllBytes(test));
            }
            for (Path entry : classPath) {
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                update(sha, "path " + entry.toAbsolutePath() + " " + attributes.size() + " "
                        + attributes.lastModifiedTime().toMillis());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    /** Whether tests are kept under this key (they may still not fit the learner's classes). */
    boolean has(String key) {
        return Files.isRegularFile(root.resolve(key).resolve(MANIFEST));
    }

    /**
     * Copies the kept test classes into {@code outDir} if they were compiled against {@code surface},
     * and returns their top-level class names; null if they were not, or cannot be read.
     */
    List<String> reuse(String key, ApiSurface surface, Path outDir) {
        Path entry = root.resolve(key);
        try {
            List<String> manifest = Files.readAllLines(entry.resolve(MANIFEST), StandardCharsets.UTF_8);
            if (manifest.size() < 2 || !manifest.get(0).equals(surface.digest())) {
                return null;
            }
            List<String> testClasses = List.of(manifest.get(1).split(" "));
            for (String file : manifest.subList(2, manifest.size())) {
                Path target = outDir.resolve(file);
                Files.createDirectories(target.getParent());
                Files.copy(entry.resolve("classes").resolve(file), target, StandardCopyOption.REPLACE_EXISTING);
            }
            return testClasses;
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /**
     * Keeps the test classes just compiled into {@code outDir} ({@code testClassFiles}, binary names),
     * compiled against {@code surface}. Written aside and moved into place whole, so that a check
     * running at the same time never reads half an entry.
     */
    void store(String key, ApiSurface surface, Collection<String> testClassFiles, Collection<String> testClasses,
            Path outDir) {
        Path entry = root.resolve(key);
        if (has(key) || testClassFiles.isEmpty()) {
            return;
        }
        Path pending = null;
        try {
            Files.createDirectories(root);
            pending = Files.createTempDirectory(root, key + ".pending-");
            List<String> manifest = new ArrayList<>();
            manifest.add(surface.digest());
            manifest.add(String.join(" ", testClasses));
            for (String name : testClassFiles) {
                String file = name.replace('.', '/') + ".class";
                Path target = pending.resolve("classes").resolve(file);
                Files.createDirectories(target.getParent());
                Files.copy(outDir.resolve(file), target);
                manifest.add(file);
            }
            Files.write(pending.resolve(MANIFEST), manifest, StandardCharsets.UTF_8);
            if (has(key)) {
                return; // another check kept the same tests meanwhile
            }
            TempFiles.deleteQuietly(entry); // there, but with no manifest: damaged
            try {
                Files.move(pending, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(pending, entry);
            }
            pending = null;
            prune();
        } catch (FileAlreadyExistsException e) {
            // another check kept the same tests first
        } catch (IOException | UncheckedIOException e) {
            // nothing kept: the next check compiles the tests again
        } finally {
            if (pending != null) {
                TempFiles.deleteQuietly(pending);
            }
        }
    }

    /** Drops the oldest entries past {@link #MAX_ENTRIES} (each set of hidden tests, class path and JDK has one). */
    private void prune() throws IOException {
        List<Path> entries;
        try (Stream<Path> listing = Files.list(root)) {
            entries = listing.filter(p -> !p.getFileName().toString().contains(".pending-"))
                    .sorted(Comparator.comparing(CompiledTests::modified).reversed()).toList();
        }
        for (Path old : entries.subList(Math.min(MAX_ENTRIES, entries.size()), entries.size())) {
            TempFiles.deleteQuietly(old);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
