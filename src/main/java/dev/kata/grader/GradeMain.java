package dev.kata.grader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.kata.catalog.Kata;
import dev.kata.probe.api.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * For kata authors while the catalog tooling is young: grades one source folder against one
 * kata folder and prints the verdict. {@code GradeMain KATA_DIR SOURCE_DIR [--json]}.
 */
public final class GradeMain {
    private GradeMain() {
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GradeMain KATA_DIR SOURCE_DIR [--json]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath().normalize();
        Map<String, Object> toml = new TomlMapper().readValue(dir.resolve("kata.toml").toFile(), Map.class);
        String id = dir.getFileName().toString();
        Kata kata = new Kata(id, dir, String.valueOf(toml.get("title")), "", Reason.fromId((String) toml.get("pitfall")),
                "", id.replace("-", ""), List.of(), Map.of(),
                Duration.ofMillis(((Number) toml.getOrDefault("test_timeout_ms", 5000)).longValue()),
                Duration.ofMillis(((Number) toml.getOrDefault("check_timeout_ms", 30000)).longValue()),
                (List<String>) toml.getOrDefault("jvm_args", List.of()));
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "kata");
        Files.createDirectories(cache);
        Verdict v = new Grader(GraderSettings.defaults(cache)).check(kata, Path.of(args[1]), CheckListener.NONE);
        if (args.length > 2 && args[2].equals("--json")) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(v));
        } else {
            System.out.println(v.status() + (v.reason() == null ? "" : " " + v.reason().id()) + " (" + v.durationMs()
                    + " ms): " + v.summary());
            v.diagnostics().forEach(d -> System.out.println("  " + d.file() + ":" + d.line() + ": " + d.message()));
            for (TestResult t : v.tests()) {
                System.out.println("  " + (t.passed() ? "ok   " : "FAIL ") + t.name()
                        + (t.passed() ? "" : " [" + t.reason().id() + "] " + t.message()
                                + (t.location() == null ? "" : " @ " + t.location())));
                t.threads().forEach(th -> System.out.println("       thread " + th));
            }
        }
        System.exit(v.passed() ? 0 : 1);
    }
}
