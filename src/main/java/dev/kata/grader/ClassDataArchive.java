package dev.kata.grader;

import dev.kata.TempFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

/**
 * The test JVM's start-up archive: on JDK 25+ an ahead-of-time cache (classes loaded and linked),
 * which takes some 40 % off a test JVM's start; on JDK 21-24 a dynamic class-data archive
 * (AppCDS), which takes a third. A check only ever reads the finished file. It is written by a
 * separate training run (see {@link Grader#trainArchive}), never by a learner's check: writing one
 * takes seconds and the JVM prints about it. The training JVM writes a private copy, which is
 * then moved into place atomically, so test JVMs starting at the same time never see half a file.
 */
final class ClassDataArchive {
    private static final int AOT_CACHE_SINCE = 25;

    private final Path file;
    private final boolean aot;

    private ClassDataArchive(Path file, boolean aot) {
        this.file = file;
        this.aot = aot;
    }

    /** The archive for this JDK and class path in {@code cacheDir}, or none if there is no cache. */
    static ClassDataArchive in(Path cacheDir) {
        // Archives can only hold classes from jars (a build's classes folder cannot be archived).
        if (cacheDir == null || !ProbeClassPath.entries().stream().allMatch(p -> p.toString().endsWith(".jar"))) {
            return null;
        }
        boolean aot = Runtime.version().feature() >= AOT_CACHE_SINCE;
        return new ClassDataArchive(cacheDir.resolve("probe-" + Runtime.version() + "-"
                + Integer.toHexString(classPathStamp()) + (aot ? ".aot" : ".jsa")), aot);
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

    boolean exists() {
        return Files.isRegularFile(file);
    }

    /**
     * JVM flags that use the archive, or none while it is not written. A JVM whose other flags do
     * not match the archive (other {@code --add-opens}, say) runs without it, silently.
     */
    List<String> readFlags() {
        if (!exists()) {
            return List.of();
        }
        if (!aot) {
            return concat(List.of("-XX:SharedArchiveFile=" + file));
        }
        if (Runtime.version().feature() == AOT_CACHE_SINCE) {
            // JDK 25 replays the training run's profiles by compiling the methods it found hot at
            // once; a test JVM lives too short for that to pay: 13 % more CPU with it (measured).
            // A diagnostic flag: kept to the JDK it was measured on.
            return concat(List.of("-XX:AOTCache=" + file, "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTReplayTraining"));
        }
        return concat(List.of("-XX:AOTCache=" + file));
    }

    /** A private file for a training JVM to write, to be {@link #publish published} when it has exited. */
    Path newPending() throws IOException {
        Files.createDirectories(file.getParent());
        return file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    /** JVM flags that make the JVM write the archive to {@code pending} when it exits. */
    List<String> writeFlags(Path pending) {
        return concat(List.of(aot ? "-XX:AOTCacheOutput=" + pending : "-XX:ArchiveClassesAtExit=" + pending));
    }

    /**
     * Moves a written archive into place, and deletes this JDK's archives of earlier builds (each
     * is some 20 MB); a training run that wrote nothing leaves nothing behind.
     */
    void publish(Path pending) {
        try {
            if (Files.isRegularFile(pending) && Files.size(pending) > 0) {
                Files.move(pending, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                deleteEarlierBuilds();
            }
        } catch (IOException e) {
            // no archive this time: test JVMs start without one
        } finally {
            TempFiles.deleteQuietly(pending);
            TempFiles.deleteQuietly(pending.resolveSibling(pending.getFileName() + ".config"));
        }
    }

    /** The flag, and silence: the JVM would otherwise print about the archive in the learner's output. */
    private List<String> concat(List<String> flags) {
        List<String> quiet = aot ? List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-Xlog:aot=off")
                : List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        return java.util.stream.Stream.concat(flags.stream(), quiet.stream()).toList();
    }

    private void deleteEarlierBuilds() throws IOException {
        String prefix = "probe-" + Runtime.version() + "-";
        try (var files = Files.list(file.getParent())) {
            files.filter(p -> p.getFileName().toString().startsWith(prefix) && !p.equals(file)
                    && (p.toString().endsWith(".aot") || p.toString().endsWith(".jsa")))
                    .forEach(TempFiles::deleteQuietly);
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

    @Override
    public String toString() {
        return file.toString();
    }
}
