package dev.kata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code kata} launcher script's choice of JDK (it prints the choice and stops with KATA_PRINT_JDK). */
class LauncherScriptTest {
    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir"), "kata");

    private record Result(int code, String out, String err) {
    }

    private static Result launch(String kataJavaHome) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", LAUNCHER.toString());
        builder.environment().put("KATA_PRINT_JDK", "1");
        builder.environment().put("KATA_JAVA_HOME", kataJavaHome);
        Process process = builder.start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher answered");
        return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aKataJavaHomeThatIsNoJdkIsNamedAndPassedOver() throws Exception {
        Result result = launch("/no/such/jdk");

        assertEquals("kata: KATA_JAVA_HOME=/no/such/jdk is not a JDK (no bin/java and bin/javac there); looking elsewhere.\n",
                result.err());
        assertEquals(0, result.code());
        assertTrue(result.out().strip().startsWith("/"), "another JDK was found: " + result.out());
    }

    @Test
    void theJdkTheTestsRunOnIsTakenSilently() throws Exception {
        String javaHome = System.getProperty("java.home");

        Result result = launch(javaHome);

        assertEquals("", result.err());
        assertEquals(javaHome, result.out().strip());
    }
}
