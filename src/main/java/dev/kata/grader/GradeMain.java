package dev.kata.grader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kata.catalog.CatalogLoader;
import dev.kata.catalog.Kata;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For kata authors while the catalog tooling is young: grades one source folder against one
 * kata folder and prints the verdict. {@code GradeMain KATA_DIR SOURCE_DIR [--json]}.
 */
public final class GradeMain {
    private GradeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GradeMain KATA_DIR SOURCE_DIR [--json]");
            System.exit(2);
        }
        Kata kata = new CatalogLoader().loadKata(Path.of(args[0]).toAbsolutePath().normalize(), "");
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
