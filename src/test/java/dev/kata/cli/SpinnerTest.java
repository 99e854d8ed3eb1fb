package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpinnerTest {
    @TempDir
    Path temp;

    @Test
    void aSigtermClearsTheSpinnersLine() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path errFile = temp.resolve("err.txt");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SpinnerMain.class.getName())
                .redirectError(errFile.toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("spinning", out.readLine());
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the JVM ended");
        }
        String err = Files.readString(errFile, StandardCharsets.UTF_8);
        assertTrue(err.contains("compiling"), err);
        String last = err.substring(err.lastIndexOf("compiling"));
        assertTrue(last.endsWith("\r"), "the last thing written returns to the start of a blank line: " + last.replace("\r", "\\r"));
        assertTrue(last.substring(last.indexOf('\r')).isBlank(), last.replace("\r", "\\r"));
    }
}
