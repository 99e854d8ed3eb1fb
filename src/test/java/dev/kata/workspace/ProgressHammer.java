package dev.kata.workspace;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Run in child JVMs by {@link ProgressStoreTest}: records {@code n} checks of one kata in a workspace. */
public final class ProgressHammer {
    private ProgressHammer() {
    }

    public static void main(String[] args) {
        ProgressStore store = new ProgressStore(new Workspace(Path.of(args[0])), List.of(), System.err::println,
                Clock.systemUTC());
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < n; i++) {
            store.update("sum-up", p -> p.checked(new LastVerdict("fail", "race", "x", Instant.EPOCH)));
        }
    }
}
