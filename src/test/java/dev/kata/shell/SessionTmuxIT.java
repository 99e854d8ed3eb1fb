package dev.kata.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.TestPacks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, as a learner: the real {@code ./kata} launcher in a real terminal (tmux, 80x24), on
 * a workspace of the tutor's test pack. Opens on the first kata, re-checks when the file is saved,
 * shows the pass, cancels a {@code :validate} with Ctrl-C without a verdict, quits on {@code q}, and
 * leaves no test JVM behind; and on a workspace that really cannot be written (see {@link ReadOnly}),
 * reads, grades and says the verdict is not recorded. Run by failsafe after
 * the jar is built ({@code mvn verify}). tmux is installed here if it is missing and we are root.
 * It sets its own UTF-8 locale ({@code tmux -u}, {@code LC_ALL}), so that it passes under
 * {@code env -i} too.
 */
class SessionTmuxIT {
    private static final Duration SCREEN_WAIT = Duration.ofSeconds(45);
    /** A UTF-8 locale every glibc has, whatever the environment of the build. */
    private static final String LOCALE = "C.UTF-8";

    @TempDir
    Path temp;
    private String socket;

    @BeforeAll
    static void tmux() throws Exception {
        if (!hasTmux() && isRoot()) {
            run(Duration.ofMinutes(3), "sh", "-c", "apt-get install -y tmux >/dev/null 2>&1 || "
                    + "(apt-get update >/dev/null 2>&1 && apt-get install -y tmux >/dev/null 2>&1)");
        }
        Assumptions.assumeTrue(hasTmux(), "tmux is not installed and could not be installed (not root, or no "
                + "package source): the end-to-end session test needs it");
    }

    @AfterEach
    void stopTmux() throws Exception {
        if (socket != null) {
            run(Duration.ofSeconds(10), "tmux", "-L", socket, "kill-server");
        }
    }

    /** A workspace {@code ws} on a copy of the mini pack at {@code pack}, made by the tutor itself. */
    private void initPackWorkspace(Path launcher, Path pack, Path cache, Path ws, String javaHome) throws Exception {
        TestPacks.copyMini(pack);
        assertEquals(0, run(Duration.ofMinutes(5), "env", "KATA_JAVA_HOME=" + javaHome, "XDG_CACHE_HOME=" + cache,
                launcher.toString(), "init", ws.toString()).exitCode, "kata init");
        Files.writeString(ws.resolve(".kata/workspace.toml"), "pack = \"" + pack + "\"\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void opensOnTheFirstKataRechecksOnSaveShowsThePassAndQuitsOnQ() throws Exception {
        Path launcher = Path.of(System.getProperty("kata.home")).resolve("kata");
        Path pack = temp.resolve("pack");
        Path cache = temp.resolve("cache");
        Path ws = temp.resolve("ws");
        String javaHome = System.getProperty("java.home");
        initPackWorkspace(launcher, pack, cache, ws, javaHome);

        socket = "kata-it-" + ProcessHandle.current().pid();
        String command = "env LC_ALL=" + LOCALE + " KATA_JAVA_HOME='" + javaHome + "' XDG_CACHE_HOME='" + cache + "' TERM=xterm-256color '"
                + launcher + "'; echo \"kata exited with $?\"; sleep 120";
        assertEquals(0, run(Duration.ofSeconds(20), "tmux", "-u", "-L", socket, "-f", "/dev/null", "new-session", "-d",
                "-s", "kata", "-x", "80", "-y", "24", "-c", ws.toString(), command).exitCode, "tmux new-session");

        waitForScreen(s -> s.contains("q quit") && s.contains("sum-up · The adder that subtracts")
                && s.contains("Edit src/main/java/sumup/Adder.java:8") && s.contains("Make add add."),
                "the session on sum-up: its story, the file as path:line and the keys");

        Path adder = ws.resolve("src/main/java/sumup/Adder.java");
        Files.writeString(adder, Files.readString(pack.resolve("sum-up/solution/Adder.java")));
        waitForScreen(s -> s.contains("see the reference solution") && s.contains("sum-up passes")
                && s.contains("1 of 3 passed"), "the pass, with the catalog's progress");

        // A long :validate is cancelled by Ctrl-C: it says so, and reports no verdict (its test JVMs
        // were not sent the terminal's SIGINT, and what they did before the cancel proves nothing).
        keys(":validate --repeat 5", "Enter");
        waitForScreen(s -> s.contains("q or Ctrl-C stops it"), "the spinner of :validate");
        keys("C-c");
        String cancelled = waitForScreen(s -> s.contains(":validate --repeat 5 was cancelled."), "the cancel");
        for (String verdict : List.of("invalid", "exit-called", "System.exit", "kata valid", "katas valid")) {
            assertTrue(!cancelled.contains(verdict), "no verdict after a cancel:\n" + cancelled);
        }

        keys("q");
        String after = waitForScreen(s -> s.contains("kata exited with"), "the session to end");
        assertTrue(after.contains("kata exited with 0"), after);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!leftovers(cache).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), leftovers(cache), "test JVMs of this session still running");
    }

    @Test
    void onAWorkspaceThatCannotBeWrittenChecksGradeAndSayTheirVerdictIsNotRecorded() throws Exception {
        Path launcher = Path.of(System.getProperty("kata.home")).resolve("kata");
        Path pack = temp.resolve("pack");
        Path cache = temp.resolve("cache");
        Path ws = temp.resolve("ws");
        String javaHome = System.getProperty("java.home");
        initPackWorkspace(launcher, pack, cache, ws, javaHome);
        assertEquals(0, run(Duration.ofMinutes(2), "env", "KATA_JAVA_HOME=" + javaHome, "XDG_CACHE_HOME=" + cache,
                launcher.toString(), "-w", ws.toString(), "start", "sum-up").exitCode, "kata start sum-up");
        Path progress = ws.resolve(".kata/progress.json");
        String before = Files.readString(progress);

        try (ReadOnly readOnly = ReadOnly.of(ws, temp, cache)) {
            String env = "env LC_ALL=" + LOCALE + " KATA_JAVA_HOME='" + javaHome + "' XDG_CACHE_HOME='" + cache
                    + "' TERM=xterm-256color ";
            for (String command : List.of("list", "progress")) {
                Result result = run(Duration.ofMinutes(2), "sh", "-c", readOnly.wrap(env + "'" + launcher + "' -w '" + ws
                        + "' " + command));
                assertEquals(0, result.exitCode, "kata " + command + " on the read-only workspace:\n" + result.output);
                assertTrue(result.output.contains("sum-up"), result.output);
            }

            socket = "kata-it-ro-" + ProcessHandle.current().pid();
            String command = readOnly.wrap(env + "'" + launcher + "'") + "; echo \"kata exited with $?\"; sleep 120";
            assertEquals(0, run(Duration.ofSeconds(20), "tmux", "-u", "-L", socket, "-f", "/dev/null", "new-session",
                    "-d", "-s", "kata", "-x", "80", "-y", "24", "-c", ws.toString(), command).exitCode, "tmux new-session");
            waitForScreen(s -> s.contains("q quit") && s.contains("sum-up · The adder that subtracts")
                    && s.contains("Make add add.") && s.contains("Your progress is not recorded"),
                    "the session on sum-up, and the warning that progress is not recorded");

            keys("c");
            String graded = waitForScreen(s -> s.contains("test-failure") && s.contains("This verdict is not recorded"),
                    "the verdict of the check, and that it is not recorded");
            assertTrue(graded.contains("2 + 3 ==> expected: <5> but was: <-1>"), graded);

            keys("q");
            String after = waitForScreen(s -> s.contains("kata exited with"), "the session to end");
            assertTrue(after.contains("kata exited with 0"), after);
        }
        assertEquals(before, Files.readString(progress), "nothing was written to the read-only workspace");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!leftovers(cache).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), leftovers(cache), "test JVMs of this session still running");
    }

    /**
     * Makes a workspace that the tutor really cannot write, for as long as it is open. Not as root:
     * {@code chmod -R a-w}, undone on close. As root, which chmod does not stop, the tutor runs in a
     * mount namespace of its own where the workspace is bind-mounted read-only ({@code unshare -m},
     * which needs CAP_SYS_ADMIN); where that is not allowed (an unprivileged container) it runs as
     * nobody ({@code setpriv}, uid 65534) on the workspace chmod'ed a-w, with a home of its own and
     * the cache opened to it. If neither works the test is skipped, saying why. The system property
     * {@code kata.it.readonly} (chmod, unshare or setpriv) forces one way, to try it.
     */
    private record ReadOnly(Path ws, String prefix, boolean chmodded) implements AutoCloseable {
        static ReadOnly of(Path ws, Path temp, Path cache) throws Exception {
            String forced = System.getProperty("kata.it.readonly", "");
            if (forced.equals("chmod") || forced.isEmpty() && !isRoot()) {
                chmod("-R", "a-w", ws);
                ReadOnly chmodded = new ReadOnly(ws, null, true);
                String probe = chmodded.probe();
                if (probe != null) {
                    chmodded.close();
                    Assumptions.abort("chmod -R a-w does not stop this user (root?) writing the workspace: " + probe);
                }
                return chmodded;
            }
            List<String> tried = new ArrayList<>();
            if (!forced.equals("setpriv")) {
                Path script = Files.writeString(temp.resolve("read-only.sh"),
                        "#!/bin/sh\n# $1: the folder to mount read-only over itself; then runs the rest.\n"
                                + "mount --bind -o ro \"$1\" \"$1\" || exit 97\nshift\nexec \"$@\"\n");
                script.toFile().setExecutable(true);
                ReadOnly unshare = new ReadOnly(ws, "unshare -m '" + script + "' '" + ws + "' ", false);
                String probe = unshare.probe();
                if (probe == null) {
                    return unshare;
                }
                tried.add("unshare -m and a read-only bind mount (needs CAP_SYS_ADMIN): " + probe);
            }
            if (!forced.equals("unshare")) {
                chmod("-R", "a-w", ws);
                chmod("a+rx", temp); // a @TempDir is rwx------
                chmod("-R", "a+rwX", cache);
                Path home = Files.createDirectories(temp.resolve("nobody-home"));
                chmod("a+rwx", home);
                ReadOnly setpriv = new ReadOnly(ws, "setpriv --reuid=65534 --regid=65534 --clear-groups env HOME='"
                        + home + "' ", true);
                String probe = setpriv.probe();
                if (probe == null) {
                    return setpriv;
                }
                setpriv.close();
                tried.add("setpriv to uid 65534 on the workspace chmod'ed a-w: " + probe);
            }
            Assumptions.abort("no way to make a workspace the tutor cannot write here:\n" + String.join("\n", tried));
            return null;
        }

        /** Null if the workspace cannot be written through this wrapper, else what happened. */
        private String probe() throws Exception {
            Result result = run(Duration.ofSeconds(20), "sh", "-c", wrap("touch '" + ws.resolve(".kata/probe") + "'"));
            boolean refused = result.exitCode != 0 && (result.output.contains("Read-only file system")
                    || result.output.contains("Permission denied"));
            Files.deleteIfExists(ws.resolve(".kata/probe"));
            return refused ? null : "exit " + result.exitCode + ": " + result.output.strip();
        }

        /** The shell command, run where the workspace cannot be written. */
        String wrap(String command) {
            return prefix == null ? command : prefix + "sh -c \"" + command.replace("\"", "\\\"") + "\"";
        }

        private static void chmod(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("chmod"));
            command.addAll(List.of(args));
            assertEquals(0, run(Duration.ofSeconds(20), command.toArray(String[]::new)).exitCode, "chmod " + command);
        }

        private static void chmod(String mode, Path path) throws Exception {
            chmod(mode, path.toString());
        }

        private static void chmod(String flag, String mode, Path path) throws Exception {
            chmod(flag, mode, path.toString());
        }

        @Override
        public void close() throws Exception {
            if (chmodded) {
                chmod("-R", "u+w", ws);
            }
        }
    }

    private void keys(String... keys) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", "kata"));
        command.addAll(List.of(keys));
        run(Duration.ofSeconds(10), command.toArray(String[]::new));
    }

    /** Test JVMs of this test's tutor (ProbeMain, or a spare's SpareMain): their command line names its cache folder. */
    private static List<String> leftovers(Path cache) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(cache.toString()) && (c.contains("ProbeMain") || c.contains("SpareMain")))
                .toList();
    }

    private String waitForScreen(Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + SCREEN_WAIT.toNanos();
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = run(Duration.ofSeconds(10), "tmux", "-L", socket, "capture-pane", "-p", "-t", "kata").output;
            if (condition.test(screen)) {
                return screen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("waited " + SCREEN_WAIT.toSeconds() + " s for " + what + "; the screen shows:\n"
                + screen);
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Duration limit, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
        builder.environment().put("LC_ALL", LOCALE);
        Process p = builder.start();
        p.getOutputStream().close();
        byte[] out;
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " took more than " + limit.toSeconds() + " s");
        }
        out = p.getInputStream().readAllBytes();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static boolean hasTmux() {
        try {
            return run(Duration.ofSeconds(10), "tmux", "-V").exitCode == 0;
        } catch (IOException | InterruptedException | AssertionError e) {
            return false;
        }
    }

    private static boolean isRoot() {
        try {
            return run(Duration.ofSeconds(5), "id", "-u").output.strip().equals("0");
        } catch (IOException | InterruptedException | AssertionError e) {
            return false;
        }
    }
}
