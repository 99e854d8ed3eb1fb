package dev.kata.shell;

import dev.kata.TempFiles;
import dev.kata.catalog.BuiltInPack;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import dev.kata.grader.GraderSettings;
import dev.kata.grader.Verdict;
import dev.kata.workspace.ProgressStore;
import dev.kata.workspace.Workspace;
import dev.kata.workspace.WorkspaceInitializer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.impl.LineDisciplineTerminal;

/**
 * Measures what a learner feels in the session: from saving a passing fix to its verdict on screen.
 * Runs a real {@link Session} (file watcher, debounce, the session's grader with its spare JVM,
 * rendering) on a virtual terminal, saves the kata's reference solution N times with a changing
 * comment, a few seconds apart as a learner would, and prints the figures. For
 * {@code scripts/bench-session}; not a test.
 *
 * <p>{@code SessionBench [RUNS] [KATA] [PACK_DIR]} (the built-in pack by default)
 */
public final class SessionBench {
    private static final long GAP_MS = 2000;

    private SessionBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String id = args.length > 1 ? args[1] : "race-cache";
        Path packDir = args.length > 2 ? Path.of(args[2]).toAbsolutePath()
                : BuiltInPack.locate(System.getProperty("kata.home"), BuiltInPack.codeLocation());
        Catalog catalog = new CatalogLoader().load(packDir);
        Kata kata = catalog.require(id);
        Path temp = TempFiles.newFolder("kata-bench-session-");
        try {
            Workspace workspace = new WorkspaceInitializer().init(temp.resolve("ws"), false).workspace();
            Clock clock = Clock.systemUTC();
            Path cache = dev.kata.cli.Launch.system().cacheDir();
            SessionSetup setup = new SessionSetup(catalog, workspace,
                    () -> new ProgressStore(workspace, catalog.katas(), w -> { }, clock), clock, workspace.root(),
                    Map.of(), GraderSettings.defaults(cache), false, (a, columns, out, err) -> 0, () -> null);
            LineDisciplineTerminal terminal = new LineDisciplineTerminal("bench", "xterm-256color",
                    OutputStream.nullOutputStream(), StandardCharsets.UTF_8);
            terminal.setSize(new Size(100, 30));
            Session session = new Session(setup, terminal);
            BlockingQueue<Verdict> verdicts = new ArrayBlockingQueue<>(16);
            session.onVerdict(verdicts::add);
            Thread thread = new Thread(() -> session.run(kata, false), "bench-session");
            thread.start();

            Path file = workspace.learnerFile(kata, kata.files().get(0));
            waitFor(() -> Files.exists(file), 30_000);
            List<String> solution = new ArrayList<>();
            for (String name : kata.files()) {
                solution.add(Files.readString(kata.solutionFile(name)));
            }
            // A first save warms the session up (its first check starts a JVM and loads javac), as the
            // learner's first save does; it is reported apart.
            long[] saveToVerdict = new long[runs];
            long[] graderMs = new long[runs];
            long[] testsMs = new long[runs];
            long warm = -1;
            for (int i = -1; i < runs; i++) {
                // A learner reads the verdict and edits before saving again: a couple of seconds at least.
                waitFor(session::spareReady, 20_000);
                Thread.sleep(GAP_MS);
                long t0 = System.nanoTime();
                for (int f = 0; f < kata.files().size(); f++) {
                    Files.writeString(workspace.learnerFile(kata, kata.files().get(f)),
                            solution.get(f) + "\n// save " + i + "\n");
                }
                Verdict v = verdicts.poll(120, TimeUnit.SECONDS);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (v == null || !v.passed()) {
                    throw new IllegalStateException("the solution of " + id + " did not pass: "
                            + (v == null ? "no verdict" : v.summary()));
                }
                if (i < 0) {
                    warm = ms;
                } else {
                    saveToVerdict[i] = ms;
                    graderMs[i] = v.durationMs();
                    testsMs[i] = v.tests().stream().mapToLong(t -> t.durationMs()).sum();
                }
            }
            terminal.processInputBytes("q".getBytes(StandardCharsets.UTF_8));
            thread.join(20_000);
            terminal.close();
            PrintWriter out = new PrintWriter(System.out, true);
            out.printf(Locale.ROOT, "first save after the session opened (it got ready while the story was read): %d ms%n", warm);
            out.printf(Locale.ROOT, "session save-to-verdict %-16s median %4d ms  (runs: %s)%n", id + ":",
                    median(saveToVerdict), join(saveToVerdict));
            out.printf(Locale.ROOT, "  of which the grader %d ms (the kata's hidden tests themselves: %d ms), the %d ms"
                    + " debounce, noticing the save and drawing the rest; saves %.1f s apart%n", median(graderMs),
                    median(testsMs), FileWatcher.DEBOUNCE.toMillis(), GAP_MS / 1000.0);
        } finally {
            TempFiles.deleteQuietly(temp);
        }
        System.exit(0);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.holds() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String join(long[] values) {
        StringBuilder s = new StringBuilder();
        for (long v : values) {
            s.append(s.isEmpty() ? "" : " ").append(v);
        }
        return s.toString();
    }
}
