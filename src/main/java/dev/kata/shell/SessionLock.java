package dev.kata.shell;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Marks a workspace as having a session open: a lock on {@code .kata/session.lock}, held while the
 * session runs and released by the OS if it dies. A second session finds it taken and says so,
 * since both would grade every save.
 */
final class SessionLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private SessionLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the workspace's session lock; {@link #alone()} tells whether another session holds it. */
    static SessionLock take(Path stateDir) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(stateDir.resolve("session.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            return new SessionLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            return new SessionLock(channel, null); // a session of this JVM holds it
        } catch (IOException e) {
            // A workspace that cannot be written: nobody can mark it, so say nothing.
            closeQuietly(channel);
            return new SessionLock(null, null);
        }
    }

    /** False when another session (this process or another) has the workspace open. */
    boolean alone() {
        return channel == null || lock != null;
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            // released when the channel closes
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
