package dev.kata;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFolderGoesWithAllItHolds() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("work/classes/pkg"));
        Files.writeString(folder.resolve("A.class"), "x");
        Files.writeString(dir.resolve("work/events.jsonl"), "{}");

        TempFiles.deleteQuietly(dir.resolve("work"));

        assertFalse(Files.exists(dir.resolve("work")));
    }

    @Test
    void aFileGoesAndNothingAtAllIsNoError() throws Exception {
        Path file = Files.writeString(dir.resolve("archive.tmp"), "x");

        TempFiles.deleteQuietly(file);
        TempFiles.deleteQuietly(file);
        TempFiles.deleteQuietly(null);

        assertFalse(Files.exists(file));
    }

    @Test
    void aFolderStillInUseGoesWhenTheTutorIsStopped() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
                FolderHolder.class.getName()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            Path folder = Path.of(out.readLine());
            assertTrue(Files.isRegularFile(folder.resolve("classes/A.class")), "the child made its folder");

            child.destroy(); // SIGTERM, as a Ctrl-C or a stopped daemon

            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child ended");
            assertFalse(Files.exists(folder), "its folder was deleted on the way out");
        } finally {
            child.destroyForcibly();
        }
    }

    /** A tutor in the middle of a check: its work folder made, waiting for the test JVM. */
    static final class FolderHolder {
        public static void main(String[] args) throws Exception {
            Path folder = TempFiles.newFolder("kata-check-");
            Files.writeString(Files.createDirectories(folder.resolve("classes")).resolve("A.class"), "x");
            System.out.println(folder);
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
