package dev.kata.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.TestPacks;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressStoreTest {
    static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path temp;
    Catalog catalog;
    Workspace workspace;
    final List<String> warnings = new ArrayList<>();
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeEach
    void setUp() {
        catalog = new CatalogLoader().load(TestPacks.copyMini(temp.resolve("katas")));
        workspace = new WorkspaceInitializer().init(temp.resolve("ws"), false).workspace();
    }

    ProgressStore store() {
        return new ProgressStore(workspace, catalog.katas(), warnings::add, clock);
    }

    @Test
    void aNewWorkspaceHasNoProgress() {
        assertEquals(Progress.EMPTY, store().read());
        assertEquals(ProgressStatus.NOT_STARTED, store().read().of("sum-up").status());
    }

    @Test
    void roundTripsEveryField() {
        LastVerdict fail = new LastVerdict("fail", "leak", "a thread was left", NOW.plusSeconds(60));
        store().update("sum-up", p -> p.started(NOW).checked(fail).withHintsUsed(2));

        KataProgress read = store().read().of("sum-up");

        assertEquals(new KataProgress(ProgressStatus.IN_PROGRESS, NOW, null, 1, 2, fail), read);
        assertTrue(warnings.isEmpty());
    }

    @Test
    void passedStaysPassedAfterALaterFailure() {
        LastVerdict pass = new LastVerdict("pass", null, "all pass", NOW);
        LastVerdict fail = new LastVerdict("fail", "race", "lost", NOW.plusSeconds(5));
        store().update("sum-up", p -> p.started(NOW).checked(pass));
        store().update("sum-up", p -> p.checked(fail));

        KataProgress read = store().read().of("sum-up");

        assertEquals(ProgressStatus.PASSED, read.status());
        assertEquals(NOW, read.solvedAt());
        assertEquals(2, read.attempts());
        assertEquals(fail, read.lastVerdict());
    }

    @Test
    void corruptFileIsMovedAsideAndProgressRebuiltFromTheFiles() throws IOException {
        new Starter().start(catalog.require("greet-all"), workspace);
        Files.writeString(workspace.progressFile(), "{\"format\":1,\"katas\":{\"sum-up\":{\"status\":\"pas");

        Progress progress = store().read();

        assertEquals(ProgressStatus.IN_PROGRESS, progress.of("greet-all").status());
        assertEquals(ProgressStatus.NOT_STARTED, progress.of("sum-up").status());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("warning: "), warnings.get(0));
        assertTrue(warnings.get(0).contains("progress.json.corrupt-20260304-050607"), warnings.get(0));
        Path aside = workspace.stateDir().resolve("progress.json.corrupt-20260304-050607");
        assertTrue(Files.readString(aside).contains("\"pas"), "the corrupt file is kept as it was");
        store().read();
        assertEquals(1, warnings.size(), "the rebuilt file is written: no second warning");
    }

    @Test
    void aGarbledFileComesBackFromTheGenerationBeforeIt() throws IOException {
        LastVerdict pass = new LastVerdict("pass", null, "all pass", NOW);
        store().update("sum-up", p -> p.started(NOW).checked(pass));
        store().update("sum-up", p -> p.withHintsUsed(2));
        Files.writeString(workspace.progressFile(), "{\"format\":1,\"katas\":{\"sum-up\":{\"sta");

        KataProgress read = store().read().of("sum-up");

        assertEquals(ProgressStatus.PASSED, read.status(), "a passed kata stays passed");
        assertEquals(NOW, read.solvedAt());
        assertEquals(1, read.attempts());
        assertEquals(pass, read.lastVerdict());
        assertEquals(0, read.hintsUsed(), "only the last change is lost");
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("restored from the generation before it"), warnings.get(0));
    }

    @Test
    void aWriteCutBetweenItsTwoRenamesLeavesThePreviousGeneration() throws IOException {
        store().update("sum-up", p -> p.started(NOW));
        store().update("sum-up", p -> p.withHintsUsed(1));
        Files.delete(workspace.progressFile());

        assertEquals(ProgressStatus.IN_PROGRESS, store().read().of("sum-up").status());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void aWorkspaceThatCannotBeWrittenIsStillRead() throws IOException {
        store().update("sum-up", p -> p.started(NOW).withHintsUsed(1));
        Files.delete(workspace.lockFile());
        Files.createDirectory(workspace.lockFile()); // the lock can no longer be opened for writing

        assertEquals(1, store().read().of("sum-up").hintsUsed());
        ProgressNotRecordedException e = assertThrows(ProgressNotRecordedException.class,
                () -> store().update("sum-up", p -> p.withHintsUsed(2)));
        assertTrue(e.getMessage().startsWith("cannot record your progress in "), e.getMessage());
        assertEquals(1, store().read().of("sum-up").hintsUsed());
    }

    @Test
    void wrongShapeCountsAsCorrupt() throws IOException {
        Files.writeString(workspace.progressFile(), "[1, 2, 3]");
        store().read();
        Files.writeString(workspace.progressFile(), "");
        store().read();

        assertEquals(2, warnings.size());
        try (Stream<Path> files = Files.list(workspace.stateDir())) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().startsWith("progress.json.corrupt-")).count());
        }
    }

    @Test
    void concurrentUpdatesAreNotLost() throws Exception {
        int threads = 4;
        int rounds = 25;
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    ProgressStore mine = store();
                    for (int i = 0; i < rounds; i++) {
                        mine.update("sum-up", p -> p.checked(new LastVerdict("fail", "race", "x", NOW)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertEquals(threads * rounds, store().read().of("sum-up").attempts());
    }

    @Test
    void concurrentProcessesDoNotLoseUpdates() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
                    ProgressHammer.class.getName(), workspace.root().toString(), "30")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process p : processes) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
            assertEquals(0, p.exitValue());
        }
        assertEquals(60, store().read().of("sum-up").attempts());
    }

    @Test
    void noTemporaryFilesAreLeftBehind() throws IOException {
        store().update("sum-up", p -> p.started(NOW));
        try (Stream<Path> files = Files.list(workspace.stateDir())) {
            assertEquals(List.of("lock", "progress.json", "workspace.toml"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertNull(store().read().of("sum-up").solvedAt());
    }
}
