package dev.kata.shell;

import dev.kata.TestPacks;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.cli.Launch;
import dev.kata.cli.Main;
import dev.kata.grader.GraderSettings;
import dev.kata.workspace.ProgressStore;
import dev.kata.workspace.Workspace;
import dev.kata.workspace.WorkspaceInitializer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A session on the mini pack in a temporary workspace, driven through a {@link VirtualTerminal}
 * on a thread of its own.
 */
final class SessionHarness implements AutoCloseable {
    final Path install;
    final Path cache;
    final Workspace workspace;
    final Catalog catalog;
    final Map<String, String> env = new HashMap<>();
    final Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);
    VirtualTerminal vt;
    Session session;
    private Thread thread;
    private final AtomicInteger exitCode = new AtomicInteger(-1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    SessionHarness(Path temp) {
        env.put("LANG", "C.UTF-8");
        install = temp.resolve("install");
        TestPacks.copyMini(install.resolve("katas"));
        cache = temp.resolve("cache");
        workspace = new WorkspaceInitializer().init(temp.resolve("ws"), false).workspace();
        catalog = new CatalogLoader().load(install.resolve("katas"));
    }

    ProgressStore progress() {
        return new ProgressStore(workspace, catalog.katas(), w -> { }, clock);
    }

    SessionSetup setup(boolean color) {
        Launch base = launch(new PrintWriter(PrintWriter.nullWriter()));
        return new SessionSetup(catalog, workspace, this::progress, clock, workspace.root(), Map.copyOf(env),
                GraderSettings.defaults(cache), color,
                (args, columns, out, err) -> Main.run(SessionLauncher.forPrompt(base, columns, out, err),
                        args.toArray(String[]::new)),
                () -> Main.commandLine(base));
    }

    private Launch launch(PrintWriter out) {
        return new Launch(out, out, Map.copyOf(env), workspace.root(), workspace.root().getParent(), install.toString(),
                null, false, clock);
    }

    Path file(String relative) {
        return workspace.sourceRoot().resolve(relative);
    }

    /** Starts the session on the kata in a virtual terminal of this size. */
    SessionHarness start(String kataId, int columns, int rows, boolean color) {
        vt = new VirtualTerminal(columns, rows);
        return start(kataId, vt, color);
    }

    SessionHarness start(String kataId, VirtualTerminal terminal, boolean color) {
        vt = terminal;
        session = new Session(setup(color), vt.terminal);
        thread = new Thread(() -> {
            try {
                exitCode.set(session.run(catalog.require(kataId), false));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-session");
        thread.start();
        return this;
    }

    /** Waits for the session to end by itself; its exit code. */
    int awaitExit() throws InterruptedException {
        thread.join(30_000);
        if (thread.isAlive()) {
            throw new AssertionError("the session did not end; the screen shows:\n" + vt.text());
        }
        if (failure.get() != null) {
            throw new AssertionError("the session failed", failure.get());
        }
        return exitCode.get();
    }

    boolean running() {
        return thread != null && thread.isAlive();
    }

    void write(Path file, String content) throws Exception {
        Files.writeString(file, content);
    }

    @Override
    public void close() throws Exception {
        if (running()) {
            vt.type("q");
            thread.join(20_000);
        }
        if (vt != null) {
            vt.close();
        }
    }
}
