package dev.kata.daemon;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the grader daemon of this tutor build listens: a Unix socket in the cache folder, named by
 * the JDK and the tutor's class path with each entry's time stamp, so that a rebuilt tutor or
 * another JDK never talks to a daemon running older code. The lock file is held by the one daemon
 * that serves; the log takes what it prints.
 */
public record DaemonAddress(Path socket, Path lock, Path log, String classPath) {
    /** Unix socket paths are limited to about 100 bytes; a deeper cache folder gets no daemon. */
    private static final int MAX_SOCKET_PATH = 100;

    /** The address for the tutor running in this JVM, or null if there can be none (no cache folder, path too long). */
    public static DaemonAddress forThisTutor(Path cacheDir) {
        if (cacheDir == null) {
            return null;
        }
        String classPath = System.getProperty("java.class.path", "");
        StringBuilder identity = new StringBuilder(System.getProperty("java.home", "")).append('\n');
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            identity.append(entry).append('@').append(p.toFile().lastModified()).append('\n');
        }
        String key = hash(identity.toString());
        Path dir = cacheDir.toAbsolutePath().normalize();
        Path socket = dir.resolve("daemon-" + key + ".sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            return null;
        }
        return new DaemonAddress(socket, dir.resolve("daemon-" + key + ".lock"), dir.resolve("daemon-" + key + ".log"),
                classPath);
    }

    /** Whether a daemon may be listening (its socket file is there). */
    boolean mayBeUp() {
        return Files.exists(socket);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            return Integer.toHexString(text.hashCode());
        }
    }
}
