package dev.kata.shell;

import dev.kata.catalog.Kata;
import dev.kata.grader.Verdict;
import java.nio.file.Path;

/**
 * What the session is doing, owned by its loop thread: the kata on screen and its latest verdict,
 * the view, a check or a {@code :} command running, a question waiting for its answer, a notice
 * for the status line. Each event moves it on; the frame is drawn from it.
 */
final class SessionState {
    enum View { STORY, VERDICT, PASSED, HINTS, LIST, SOLUTION, HELP, OUTPUT, FINISHED }

    /** A check under way: its id (news of other checks is stale), what it does now, its tests so far. */
    static final class RunningCheck {
        final long id;
        final long startedNanos = System.nanoTime();
        String label = "starting";
        int passed;
        int failed;

        RunningCheck(long id) {
            this.id = id;
        }
    }

    Kata kata;
    Path sourceDir;
    /** This session's latest verdict of {@link #kata}, or null before its first check here. */
    Verdict verdict;
    View view = View.STORY;
    /** One line for the status bar until the next key; null for none. */
    String notice;
    boolean confirmingReset;
    boolean editing;
    boolean quit;
    RunningCheck check;
    /** The {@code :} command under way, or null. */
    CommandJob command;
    /** Hint levels shown in this session (progress may not record them: a read-only workspace). */
    int hintsShown;
    /** Whether the learner was told that progress cannot be recorded here. */
    boolean progressUnrecorded;
    /** Spinner frames drawn so far. */
    int frame;

    boolean checking() {
        return check != null;
    }

    boolean commandRunning() {
        return command != null;
    }

    boolean isCurrent(long checkId) {
        return check != null && check.id == checkId;
    }
}
