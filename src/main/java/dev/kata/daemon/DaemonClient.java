package dev.kata.daemon;

import dev.kata.catalog.Kata;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Verdict;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's side of the grader daemon: hands it a check, or gets one started in the
 * background. Every failure here (no daemon, a busy one, one that dies mid-check) comes back as
 * "no verdict", and the command line grades by itself as it always could.
 */
final class DaemonClient {
    private final DaemonAddress address;

    DaemonClient(DaemonAddress address) {
        this.address = address;
    }

    /** The daemon's verdict for this check, or null if it did not give one. */
    Verdict check(Kata kata, Path sourceDir, CheckListener listener) {
        if (!address.mayBeUp()) {
            return null;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(address.socket()));
            // A daemon that stops answering (stopped, swapped out) does not hold the learner up for ever.
            Duration patience = kata.checkTimeout().multipliedBy(4).plusMinutes(2);
            Thread guard = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(patience);
                    channel.close();
                } catch (InterruptedException | IOException e) {
                    // answered in time
                }
            });
            try {
                ObjectOutputStream out = new ObjectOutputStream(Channels.newOutputStream(channel));
                out.writeObject(new Message.Check(kata.dir().getParent().toString(), kata.id(),
                        sourceDir.toAbsolutePath().toString()));
                out.flush();
                ObjectInputStream in = new ObjectInputStream(Channels.newInputStream(channel));
                in.setObjectInputFilter(ObjectInputFilter.Config.createFilter(Message.ALLOWED));
                while (true) {
                    Object answer = in.readObject();
                    switch (answer) {
                        case Message.Phase p -> listener.phase(p.name());
                        case Message.TestStarted t -> listener.testStarted(t.name());
                        case Message.TestFinished t -> listener.testFinished(t.result());
                        case Message.Done d -> {
                            return d.verdict();
                        }
                        default -> {
                            return null; // busy or refused
                        }
                    }
                }
            } finally {
                guard.interrupt();
            }
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return null;
        }
    }

    /** Asks a running daemon to get ready for {@code kata}; false if none answered. */
    boolean prepare(Kata kata) {
        if (!address.mayBeUp()) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(address.socket()));
            ObjectOutputStream out = new ObjectOutputStream(Channels.newOutputStream(channel));
            out.writeObject(new Message.Prepare(kata.dir().getParent().toString(), kata.id()));
            out.flush();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Starts a daemon that outlives this command: in a session of its own where the system has
     * {@code setsid}, and deaf to the terminal's Ctrl-C and hang-up either way (signals ignored
     * at its start stay ignored by the JVM). It prepares {@code kata} first.
     */
    void start(Path cacheDir, Kata kata) {
        try {
            Files.createDirectories(cacheDir);
            List<String> command = new ArrayList<>();
            for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
                if (Files.isExecutable(Path.of(setsid))) {
                    command.add(setsid);
                    break;
                }
            }
            command.addAll(List.of("/bin/sh", "-c", "trap '' INT HUP; exec \"$@\"", "kata-daemon"));
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of("-XX:+UseSerialGC", "-Xss4m", "-Xmx384m", "-XX:TieredStopAtLevel=1",
                    "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
                    "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED"));
            for (String property : List.of("kata.home", "user.home", "kata.daemon.idleSeconds")) {
                String value = System.getProperty(property);
                if (value != null) {
                    command.add("-D" + property + "=" + value);
                }
            }
            command.addAll(List.of("-cp", address.classPath(), GraderDaemon.class.getName(), cacheDir.toString(),
                    kata.dir().getParent().toString(), kata.id()));
            new ProcessBuilder(command)
                    .redirectInput(Redirect.from(new File("/dev/null")))
                    .redirectOutput(Redirect.to(address.log().toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException | RuntimeException e) {
            // no daemon: the next check grades by itself, as this one did
        }
    }
}
