package dev.kata.grader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains the test JVM's output so it can never block on a full pipe, keeps the first
 * {@code cap} bytes and the last few kilobytes, and counts the rest.
 */
final class OutputCollector implements Runnable {
    private static final int TAIL = 4096;

    private final InputStream in;
    private final int cap;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final byte[] tail = new byte[TAIL];
    private long total;
    private int tailEnd;
    private final Thread thread;

    OutputCollector(InputStream in, int cap) {
        this.in = in;
        this.cap = cap;
        this.thread = new Thread(this, "kata-output-collector");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void run() {
        byte[] buffer = new byte[16384];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (this) {
                    int room = (int) Math.max(0, cap - head.size());
                    head.write(buffer, 0, Math.min(room, n));
                    for (int i = 0; i < n; i++) {
                        tail[tailEnd] = buffer[i];
                        tailEnd = (tailEnd + 1) % TAIL;
                    }
                    total += n;
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    synchronized long total() {
        return total;
    }

    /** Waits briefly for the stream to end (the process has exited). */
    void awaitEnd() {
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What was kept, with a note on what was dropped. */
    synchronized String text() {
        String kept = head.toString(StandardCharsets.UTF_8);
        if (total > head.size()) {
            kept += "\n[... " + (total - head.size()) + " more bytes of output not shown]\n";
        }
        return kept;
    }

    /** The last few kilobytes, where the JVM's own dying words are. */
    synchronized String tailText() {
        int len = (int) Math.min(total, TAIL);
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = tail[Math.floorMod(tailEnd - len + i, TAIL)];
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
