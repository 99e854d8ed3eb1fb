package dev.kata.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Who a progress export is about: {@code --learner}, else git's {@code user.name} as seen from
 * the workspace (so a repository's own setting wins), else {@code $USER} ({@code %USERNAME%} on
 * Windows), else the account name the system gives the JVM (it reads the user database, so a
 * container with no {@code $USER} still has one), else "unknown".
 */
final class LearnerName {
    private LearnerName() {
    }

    static String resolve(String option, Launch launch, Path workspaceRoot) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String fromGit = gitUserName(launch, workspaceRoot);
        if (fromGit != null) {
            return fromGit;
        }
        for (String variable : new String[] {"USER", "USERNAME", "LOGNAME"}) {
            String value = launch.env().get(variable);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        String account = System.getProperty("user.name");
        return account == null || account.isBlank() || "?".equals(account) ? "unknown" : account.strip();
    }

    /** {@code git config user.name}, or null when git is missing, slow, or has no name. */
    static String gitUserName(Launch launch, Path dir) {
        ProcessBuilder builder = new ProcessBuilder("git", "config", "user.name").directory(dir.toFile())
                .redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        // git reads the global config from HOME and XDG_CONFIG_HOME: take them from this run's world.
        Map<String, String> env = builder.environment();
        env.put("HOME", launch.home().toString());
        env.remove("XDG_CONFIG_HOME");
        String xdg = launch.env().get("XDG_CONFIG_HOME");
        if (xdg != null) {
            env.put("XDG_CONFIG_HOME", xdg);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return null;
        }
        try (InputStream in = process.getInputStream()) {
            process.getOutputStream().close();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            String name = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.exitValue() == 0 && !name.isEmpty() ? name : null;
        } catch (IOException e) {
            process.destroyForcibly();
            return null;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
