package dev.kata.shell;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.function.Consumer;
import org.jline.utils.NonBlockingReader;

/**
 * Reads single keys from the terminal (in raw mode) on a thread of its own and hands them to the
 * session. Escape sequences become named keys. After a key that hands the terminal to someone else
 * ({@code :}, {@code e}) it stops reading until {@link #resume()}, so that the line editor or the
 * editor gets every key typed after it.
 */
final class KeyReader implements AutoCloseable {
    private static final long POLL_MS = 100;
    private static final long SEQUENCE_MS = 40;

    private final NonBlockingReader in;
    private final Consumer<Key> keys;
    private final Thread thread;
    private boolean paused;
    private volatile boolean closed;

    KeyReader(NonBlockingReader in, Consumer<Key> keys) {
        this.in = in;
        this.keys = keys;
        this.thread = Thread.ofPlatform().daemon().name("kata-keys").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Lets the reader go on after the key that paused it has been dealt with. */
    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    private void loop() {
        try {
            while (!closed) {
                synchronized (this) {
                    while (paused && !closed) {
                        wait();
                    }
                }
                if (closed) {
                    return;
                }
                int c = in.read(POLL_MS);
                if (c == NonBlockingReader.READ_EXPIRED) {
                    continue;
                }
                if (c == NonBlockingReader.EOF) {
                    keys.accept(Key.of(Key.Special.EOF));
                    return;
                }
                Key key = decode(c);
                if (key == null) {
                    continue;
                }
                if (KeyMap.takesTerminal(key)) {
                    synchronized (this) {
                        paused = true;
                    }
                }
                keys.accept(key);
            }
        } catch (InterruptedException | InterruptedIOException e) {
            // closing
        } catch (IOException e) {
            if (!closed) {
                keys.accept(Key.of(Key.Special.EOF));
            }
        }
    }

    private Key decode(int c) throws IOException {
        return switch (c) {
            case 3 -> Key.of(Key.Special.CTRL_C);
            case 4 -> Key.of(Key.Special.EOF);
            case 12 -> Key.of(Key.Special.CTRL_L);
            case '\r', '\n' -> Key.of(Key.Special.ENTER);
            case 27 -> escape();
            default -> c < 32 ? null : Key.of((char) c);
        };
    }

    /** ESC alone, or an ANSI sequence: ESC [ params final, or ESC O final. */
    private Key escape() throws IOException {
        int next = in.read(SEQUENCE_MS);
        if (next != '[' && next != 'O') {
            return Key.of(Key.Special.ESCAPE);
        }
        StringBuilder params = new StringBuilder();
        int c;
        while (true) {
            c = in.read(SEQUENCE_MS);
            if (c < 0) {
                return Key.of(Key.Special.ESCAPE);
            }
            if (c >= 0x40 && c <= 0x7e) {
                break;
            }
            params.append((char) c);
        }
        return switch (c) {
            case 'A' -> Key.of(Key.Special.UP);
            case 'B' -> Key.of(Key.Special.DOWN);
            case 'C' -> Key.of(Key.Special.RIGHT);
            case 'D' -> Key.of(Key.Special.LEFT);
            case 'H' -> Key.of(Key.Special.HOME);
            case 'F' -> Key.of(Key.Special.END);
            case '~' -> switch (params.toString()) {
                case "5" -> Key.of(Key.Special.PAGE_UP);
                case "6" -> Key.of(Key.Special.PAGE_DOWN);
                case "1", "7" -> Key.of(Key.Special.HOME);
                case "4", "8" -> Key.of(Key.Special.END);
                default -> null;
            };
            default -> null;
        };
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
