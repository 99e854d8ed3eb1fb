package dev.kata.shell;

import dev.kata.grader.TestResult;
import dev.kata.grader.Verdict;

/** What the session loop reacts to; everything that happens elsewhere arrives as one of these. */
sealed interface SessionEvent {
    record KeyPressed(Key key) implements SessionEvent {
    }

    /** The learner saved the kata's file(s). */
    record Saved(long watchId) implements SessionEvent {
    }

    record CheckPhase(long checkId, String phase) implements SessionEvent {
    }

    record TestStarted(long checkId, String name) implements SessionEvent {
    }

    record TestFinished(long checkId, TestResult result) implements SessionEvent {
    }

    record CheckDone(long checkId, Verdict verdict) implements SessionEvent {
    }

    record CheckCancelled(long checkId) implements SessionEvent {
    }

    record CheckCrashed(long checkId, Throwable error) implements SessionEvent {
    }

    /** A command typed at the prompt has ended (done, failed or cancelled). */
    record CommandEnded(long commandId) implements SessionEvent {
    }

    /** Ctrl-C (SIGINT). */
    record Interrupt() implements SessionEvent {
    }

    /** The terminal changed size (SIGWINCH), or came back from the background. */
    record Resized() implements SessionEvent {
    }
}
