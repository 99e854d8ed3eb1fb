package dev.kata.shell;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * A line typed at the session's {@code :} prompt, run as {@code kata ARGS...} on a thread of its
 * own so that the session keeps drawing (a spinner, the output so far) and keeps taking keys: q
 * and Ctrl-C {@link #cancel()} it. A cancelled command's output is never shown as its result:
 * what it printed after the interrupt (checks whose test JVMs were killed) proves nothing.
 */
final class CommandJob {
    private final long id;
    private final List<String> words;
    private final StringWriter out = new StringWriter();
    private final Thread thread;
    private final long startedNanos = System.nanoTime();
    private volatile boolean cancelled;
    private volatile long cancelledNanos;
    private volatile int exitCode = -1;

    private CommandJob(long id, List<String> words, ToIntFunction<PrintWriter> command, Consumer<SessionEvent> events) {
        this.id = id;
        this.words = List.copyOf(words);
        this.thread = Thread.ofPlatform().name("kata-command-" + id).unstarted(() -> {
            try (PrintWriter o = new PrintWriter(out, true)) {
                exitCode = command.applyAsInt(o);
            } catch (RuntimeException | Error e) {
                out.write("kata: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "\n");
                exitCode = 70;
            } finally {
                events.accept(new SessionEvent.CommandEnded(id));
            }
        });
    }

    /** Starts {@code command}, which writes to the stream it is given ({@code words} as typed, for showing it). */
    static CommandJob start(long id, List<String> words, ToIntFunction<PrintWriter> command,
            Consumer<SessionEvent> events) {
        CommandJob job = new CommandJob(id, words, command, events);
        job.thread.start();
        return job;
    }

    long id() {
        return id;
    }

    /** The command as typed at the prompt, {@code :validate sum-up}. */
    String label() {
        return ":" + String.join(" ", words);
    }

    List<String> words() {
        return words;
    }

    /** What it printed so far. */
    String output() {
        return out.toString();
    }

    int exitCode() {
        return exitCode;
    }

    /** How long it ran: until now, or until it was cancelled. */
    long elapsedMillis() {
        long end = cancelledNanos != 0 ? cancelledNanos : System.nanoTime();
        return (end - startedNanos) / 1_000_000;
    }

    /** Asks it to stop: its thread is interrupted (the grader then kills its test JVMs); it ends soon after. */
    void cancel() {
        if (!cancelled) {
            cancelledNanos = System.nanoTime();
        }
        cancelled = true;
        thread.interrupt();
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Stops it and waits a little for its test JVMs to go, when the session ends. */
    void stop() {
        cancel();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
