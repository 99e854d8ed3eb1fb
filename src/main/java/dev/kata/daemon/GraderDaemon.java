package dev.kata.daemon;

import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import dev.kata.grader.CheckCancelledException;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Grader;
import dev.kata.grader.GraderSettings;
import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tutor process kept running between commands, so that a check from the command line finds
 * javac warmed up and a test JVM already started and warmed up for its kata (the model checker's
 * start-up alone is over a second), as the interactive session does. It grades one check at a
 * time, each in a fresh test JVM of its own exactly as the command line would; a second check
 * that comes while one runs is told to grade itself. It ends after {@link #IDLE} without a
 * request, when the tutor is rebuilt, or when its socket file is removed; the learner's code
 * never runs in it, only in its test JVMs.
 */
public final class GraderDaemon {
    static final Duration IDLE = Duration.ofSeconds(Long.getLong("kata.daemon.idleSeconds", 600));

    private final Grader grader;
    private final Duration idle;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile long lastRequest = System.nanoTime();

    GraderDaemon(Grader grader, Duration idle) {
        this.grader = grader;
        this.idle = idle;
    }

    /** {@code GraderDaemon CACHE_DIR [PACK_DIR KATA_ID]}: serves until idle; prepares the kata given first. */
    public static void main(String[] args) {
        Path cache = Path.of(args[0]);
        DaemonAddress address = DaemonAddress.forThisTutor(cache);
        if (address != null) {
            try {
                run(address, cache, args.length >= 3 ? new Message.Prepare(args[1], args[2]) : null, IDLE);
            } catch (IOException | RuntimeException e) {
                System.err.println("kata daemon: " + e);
            }
        }
        System.exit(0);
    }

    /** Serves at {@code address} until idle for {@code idle}, unless another daemon holds it already. */
    static void run(DaemonAddress address, Path cache, Message.Prepare first, Duration idle) throws IOException {
        Files.createDirectories(cache);
        try (FileChannel lockFile = FileChannel.open(address.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lockFile.tryLock()) {
            if (held == null) {
                return; // another daemon serves this tutor
            }
            Files.deleteIfExists(address.socket()); // left by a daemon that was killed
            DaemonLeftovers.sweep(address, DaemonLeftovers.STALE);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                    Grader grader = new Grader(GraderSettings.defaults(cache), true)) {
                server.bind(UnixDomainSocketAddress.of(address.socket()));
                try {
                    Files.setPosixFilePermissions(address.socket(), PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the cache folder's own permissions apply
                }
                GraderDaemon daemon = new GraderDaemon(grader, idle);
                if (first != null) {
                    daemon.prepare(first);
                }
                daemon.serve(server, address);
            } finally {
                Files.deleteIfExists(address.socket());
            }
        }
    }

    private void serve(ServerSocketChannel server, DaemonAddress address) {
        Thread.ofPlatform().daemon().name("kata-daemon-idle").start(() -> {
            while (server.isOpen()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                boolean idleTooLong = !busy.get() && System.nanoTime() - lastRequest > idle.toNanos();
                // The address is named by the class path's time stamps: a rebuilt tutor has another one.
                boolean rebuilt = !address.equals(DaemonAddress.forThisTutor(address.socket().getParent()));
                if (idleTooLong || rebuilt || !Files.exists(address.socket())) {
                    try {
                        server.close(); // ends accept() below
                    } catch (IOException e) {
                        return;
                    }
                }
            }
        });
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                lastRequest = System.nanoTime();
                Thread.ofVirtual().name("kata-daemon-request").start(() -> answer(client));
            } catch (IOException e) {
                break; // closed: idle, rebuilt or its socket removed
            }
        }
        while (busy.get()) { // a check under way finishes first
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void answer(SocketChannel client) {
        try (client) {
            ObjectOutputStream out = new ObjectOutputStream(Channels.newOutputStream(client));
            out.flush();
            InputStream raw = Channels.newInputStream(client);
            ObjectInputStream in = new ObjectInputStream(raw);
            in.setObjectInputFilter(ObjectInputFilter.Config.createFilter(Message.ALLOWED));
            Object request = in.readObject();
            if (request instanceof Message.Prepare prepare) {
                prepare(prepare);
            } else if (request instanceof Message.Check check) {
                if (!busy.compareAndSet(false, true)) {
                    send(out, new Message.Busy());
                    return;
                }
                try {
                    check(check, out, raw);
                } finally {
                    lastRequest = System.nanoTime();
                    busy.set(false);
                }
            }
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            // the command line went away, or sent what it should not: it grades by itself
        }
    }

    private void check(Message.Check request, ObjectOutputStream out, InputStream raw) throws IOException {
        Kata kata;
        try {
            kata = new CatalogLoader().load(Path.of(request.packDir())).require(request.kataId());
        } catch (RuntimeException e) {
            send(out, new Message.Refused(String.valueOf(e.getMessage())));
            return;
        }
        // The command line closing its end (Ctrl-C) cancels the check: its test JVM is ended at once.
        Thread grading = Thread.currentThread();
        AtomicBoolean checking = new AtomicBoolean(true);
        Thread.ofVirtual().name("kata-daemon-hangup").start(() -> {
            try {
                while (raw.read() >= 0) {
                    // nothing more is sent after the request
                }
            } catch (IOException e) {
                // closed
            }
            if (checking.get()) {
                grading.interrupt();
            }
        });
        try {
            Verdict verdict = grader.check(kata, Path.of(request.sourceDir()), new CheckListener() {
                @Override
                public void phase(String name) {
                    sendQuietly(out, new Message.Phase(name));
                }

                @Override
                public void testStarted(String name) {
                    sendQuietly(out, new Message.TestStarted(name));
                }

                @Override
                public void testFinished(TestResult result) {
                    sendQuietly(out, new Message.TestFinished(result));
                }
            });
            checking.set(false);
            send(out, new Message.Done(verdict));
        } catch (CheckCancelledException e) {
            // nobody is waiting for this verdict
        } finally {
            checking.set(false);
            Thread.interrupted();
        }
    }

    private void prepare(Message.Prepare request) {
        lastRequest = System.nanoTime();
        if (busy.get()) {
            return;
        }
        try {
            grader.prepare(new CatalogLoader().load(Path.of(request.packDir())).require(request.kataId()));
        } catch (RuntimeException e) {
            // only a head start
        }
        // Idle from when it is ready: on a busy machine the first preparation can outlast a short
        // idle time, and a check already waiting to be accepted would find the daemon closing.
        lastRequest = System.nanoTime();
    }

    private static void send(ObjectOutputStream out, Message message) throws IOException {
        synchronized (out) {
            out.writeObject(message);
            out.flush();
            out.reset();
        }
    }

    private static void sendQuietly(ObjectOutputStream out, Message message) {
        try {
            send(out, message);
        } catch (IOException e) {
            // the command line went away: the hang-up watcher cancels the check
        }
    }
}
