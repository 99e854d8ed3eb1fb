package dev.kata.cli;

import dev.kata.grader.CheckListener;
import java.io.PrintWriter;

/** A one-line spinner on stderr that follows a check ("compiling", "testing: <test>"). */
final class Spinner implements CheckListener, AutoCloseable {
    private static final String FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    private final PrintWriter err;
    private final Thread ticker;
    private String label = "starting";
    private int frame;
    private int shownWidth;
    private boolean closed;

    /** Killed mid-check (SIGTERM, a closed window): the spinner's line is ended, not left half drawn. */
    private final Thread onKill = new Thread(this::killed, "kata-spinner-end");

    Spinner(PrintWriter err) {
        this.err = err;
        this.ticker = Thread.ofPlatform().daemon().name("kata-spinner").unstarted(this::tick);
        ticker.start();
        try {
            Runtime.getRuntime().addShutdownHook(onKill);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    /** Ends the line as the JVM goes down: what was under way, and that it stopped. */
    synchronized void killed() {
        if (closed) {
            return;
        }
        closed = true;
        err.print("\r" + " ".repeat(shownWidth) + "\r" + "stopped while " + label + "\n");
        err.flush();
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
        try {
            Runtime.getRuntime().removeShutdownHook(onKill);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs, and finds the spinner closed
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            err.print("\r" + " ".repeat(shownWidth) + "\r");
            err.flush();
        }
        ticker.interrupt();
    }
}
