package dev.kata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Copies of the tiny test pack ({@code src/test/resources/packs/mini}) that a test may change. */
public final class TestPacks {
    private TestPacks() {
    }

    /** Copies the mini pack to {@code target} (created) and returns it. */
    public static Path copyMini(Path target) {
        try {
            Path source = Path.of(TestPacks.class.getResource("/packs/mini/pack.toml").toURI()).getParent();
            try (Stream<Path> files = Files.walk(source)) {
                for (Path from : (Iterable<Path>) files::iterator) {
                    Path to = target.resolve(source.relativize(from).toString());
                    if (Files.isDirectory(from)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(from, to);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
