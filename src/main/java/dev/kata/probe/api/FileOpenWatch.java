package dev.kata.probe.api;

import dev.kata.probe.files.FileOpens;
import java.util.function.Consumer;

/**
 * For hidden tests of katas about open files (those whose pitfall is {@code resource-leak}, whose
 * learner classes are rewritten to report each file they open): a look at the process the moment
 * the learner's code has opened a file, before it can close another. A count of open files taken
 * only now and then misses a file opened before the last one was closed.
 */
public final class FileOpenWatch {
    private FileOpenWatch() {
    }

    /**
     * Calls {@code check} with the path of each file the learner's code opens from now on, on the
     * learner's thread, just after the open returned; {@code null} stops. An exception that
     * {@code check} throws is dropped: record what it saw and fail the test afterwards.
     */
    public static void afterEachOpen(Consumer<String> check) {
        FileOpens.watch(check);
    }
}
