package dev.kata.cli;

import dev.kata.grader.CheckListener;
import java.io.PrintWriter;

/** A one-line spinner on stderr that follows a check ("compiling", "testing: <test>"). */
final class Spinner implements CheckListener, AutoCloseable {
    private static final String FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    private final PrintWriter err;
    private final Thread ticker;
    // Killed mid-check (SIGTERM, a closed window): clear the line rather than leave half a spinner.
    private final Thread onExit = new Thread(this::close, "kata-spinner-exit");
    private String label = "starting";
    private int frame;
    private int shownWidth;
    private boolean closed;

    Spinner(PrintWriter err) {
        this.err = err;
        this.ticker = Thread.ofPlatform().daemon().name("kata-spinner").unstarted(this::tick);
        ticker.start();
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    @Override
    public synchronized void phase(String name) {
        label = name;
        draw();
    }

    @Override
    public synchronized void testStarted(String name) {
        label = "testing: " + name;
        draw();
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    frame = (frame + 1) % FRAMES.length();
                    draw();
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void draw() {
        if (closed) {
            return;
        }
        String line = FRAMES.charAt(frame) + " " + label;
        if (line.length() > 70) {
            line = line.substring(0, 69) + "…";
        }
        err.print("\r" + line + " ".repeat(Math.max(0, shownWidth - line.length())));
        err.flush();
        shownWidth = line.length();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            err.print("\r" + " ".repeat(shownWidth) + "\r");
            err.flush();
        }
        ticker.interrupt();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // this is the hook itself, running
        }
    }
}
