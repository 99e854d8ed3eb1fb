package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.grader.CheckCancelledException;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Grader;
import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Runs checks on a background thread, one at a time, with the session's one {@link Grader} (warm
 * compiler, spare test JVM). Everything it learns goes to the session as events tagged with the
 * check's id, so that news of a check the session has since given up on is easy to ignore.
 */
final class CheckRunner implements AutoCloseable {
    private final Grader grader;
    private final Consumer<SessionEvent> events;
    private long lastId;
    private Thread running;
    private long runningId = -1;

    CheckRunner(Grader grader, Consumer<SessionEvent> events) {
        this.grader = grader;
        this.events = events;
    }

    /** Starts a check (stopping the one running, if any) and returns its id. */
    synchronized long start(Kata kata, Path sourceDir) {
        cancel();
        long id = ++lastId;
        CheckListener listener = new CheckListener() {
            @Override
            public void phase(String name) {
                events.accept(new SessionEvent.CheckPhase(id, name));
            }

            @Override
            public void testStarted(String name) {
                events.accept(new SessionEvent.TestStarted(id, name));
            }

            @Override
            public void testFinished(TestResult result) {
                events.accept(new SessionEvent.TestFinished(id, result));
            }
        };
        Thread thread = Thread.ofPlatform().name("kata-check-" + id).unstarted(() -> {
            try {
                Verdict verdict = grader.check(kata, sourceDir, listener);
                events.accept(Thread.currentThread().isInterrupted()
                        ? new SessionEvent.CheckCancelled(id) : new SessionEvent.CheckDone(id, verdict));
            } catch (CheckCancelledException e) {
                events.accept(new SessionEvent.CheckCancelled(id));
            } catch (RuntimeException | Error e) {
                events.accept(new SessionEvent.CheckCrashed(id, e));
            } finally {
                finished(id);
            }
        });
        running = thread;
        runningId = id;
        thread.start();
        return id;
    }

    private synchronized void finished(long id) {
        if (runningId == id) {
            running = null;
            runningId = -1;
        }
        notifyAll();
    }

    synchronized boolean busy() {
        return running != null;
    }

    /**
     * Stops the running check, if any, and waits until its test JVM is gone. The grader kills the
     * JVM as soon as it sees the interrupt, whatever phase the check is in.
     */
    synchronized void cancel() {
        Thread thread = running;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        long deadline = System.currentTimeMillis() + 10_000;
        while (running == thread && System.currentTimeMillis() < deadline) {
            try {
                wait(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        cancel();
        grader.close();
    }
}
