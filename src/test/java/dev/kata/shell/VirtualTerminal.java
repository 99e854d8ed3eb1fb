package dev.kata.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import org.jline.builtins.ScreenTerminal;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.LineDisciplineTerminal;

/**
 * A terminal with no tty behind it: JLine's line-discipline terminal (raw mode, Ctrl-C as SIGINT,
 * window size) whose output is fed to JLine's screen emulator, so a test can type keys and read
 * the screen as a learner would see it.
 */
final class VirtualTerminal implements AutoCloseable {
    final ScreenTerminal screen;
    final LineDisciplineTerminal terminal;
    private final StringBuilder all = new StringBuilder();

    VirtualTerminal(int columns, int rows) {
        this(columns, rows, "xterm-256color");
    }

    VirtualTerminal(int columns, int rows, String type) {
        screen = new ScreenTerminal(columns, rows);
        try {
            terminal = new LineDisciplineTerminal("virtual", type, new ScreenStream(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        terminal.setSize(new Size(columns, rows));
    }

    /** Types the keys as if on a keyboard (Ctrl-C as {@code \u0003} raises SIGINT, as a tty does). */
    void type(String keys) {
        try {
            terminal.processInputBytes(keys.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String text() {
        return screen.toString();
    }

    /** Everything ever written to the terminal, escape sequences included. */
    synchronized String written() {
        return all.toString();
    }

    /** Waits until the screen shows every one of the texts at once (a frame being drawn shows some of them). */
    String waitFor(String... expected) {
        return waitFor(s -> java.util.Arrays.stream(expected).allMatch(s::contains), String.join(" and ", expected),
                Duration.ofSeconds(60));
    }

    String waitFor(Predicate<String> condition, String what, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        String now = text();
        while (!condition.test(now)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the screen never showed " + what + "; it shows:\n" + now);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            now = text();
        }
        return now;
    }

    void resize(int columns, int rows) {
        screen.setSize(columns, rows);
        terminal.setSize(new Size(columns, rows));
        terminal.raise(Terminal.Signal.WINCH);
    }

    @Override
    public void close() throws IOException {
        terminal.close();
    }

    /** Decodes the terminal's UTF-8 output, however it is cut, into the screen emulator. */
    private final class ScreenStream extends OutputStream {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer in = ByteBuffer.allocate(8192);
        private final CharBuffer out = CharBuffer.allocate(8192);

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int i = off;
            while (i < off + len) {
                int n = Math.min(in.remaining(), off + len - i);
                in.put(b, i, n);
                i += n;
                in.flip();
                decoder.decode(in, out, false);
                in.compact();
                out.flip();
                String text = out.toString();
                out.clear();
                screen.write(text);
                synchronized (VirtualTerminal.this) {
                    all.append(text);
                }
            }
        }
    }
}
