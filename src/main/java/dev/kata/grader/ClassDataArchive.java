package dev.kata.grader;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

/**
 * The test JVM's class-data archive (AppCDS), which saves a third of its start-up. Several test
 * JVMs may start at once, so the archive is never written in place: the first JVM to find none
 * writes a private copy at exit, and the grader moves it into place atomically afterwards. Every
 * later JVM only reads the finished file.
 */
final class ClassDataArchive {
    private final Path file;
    private final Path pending;

    private ClassDataArchive(Path file, Path pending) {
        this.file = file;
        this.pending = pending;
    }

    /** The archive for this JDK and class path in {@code cacheDir}, or none if there is no cache. */
    static ClassDataArchive in(Path cacheDir) {
        // Class-data archives can only hold classes from jars (a build's classes folder cannot be archived).
        if (cacheDir == null || !ProbeClassPath.entries().stream().allMatch(p -> p.toString().endsWith(".jar"))) {
            return null;
        }
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            return null;
        }
        Path file = cacheDir.resolve("probe-" + Runtime.version() + "-" + Integer.toHexString(classPathStamp()) + ".jsa");
        return new ClassDataArchive(file, Files.exists(file) ? null
                : cacheDir.resolve(file.getFileName() + "." + UUID.randomUUID() + ".tmp"));
    }

    /** Changes when the class path or any jar on it changes: an archive only matches the jars it was made from. */
    private static int classPathStamp() {
        StringBuilder stamp = new StringBuilder(ProbeClassPath.asString());
        for (Path entry : ProbeClassPath.entries()) {
            try {
                stamp.append('|').append(Files.getLastModifiedTime(entry).toMillis()).append(':').append(Files.size(entry));
            } catch (IOException e) {
                stamp.append("|?");
            }
        }
        return stamp.toString().hashCode();
    }

    /** JVM flags that use the archive, or write a private one if there is none yet. */
    List<String> jvmFlags() {
        if (pending == null) {
            return List.of("-XX:SharedArchiveFile=" + file, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        }
        return List.of("-XX:ArchiveClassesAtExit=" + pending, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /** After the JVM has exited: publishes the archive it wrote, if it wrote one. */
    void publish() {
        if (pending == null || !Files.exists(pending)) {
            return;
        }
        try {
            Files.move(pending, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            deleteQuietly();
        } catch (IOException e) {
            deleteQuietly();
        }
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(pending);
        } catch (IOException ignored) {
            // a stray temp file in the cache is harmless
        }
    }

    /** Two archives are the same if they are the same file, whether or not it is written yet. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ClassDataArchive a && a.file.equals(file);
    }

    @Override
    public int hashCode() {
        return file.hashCode();
    }
}
