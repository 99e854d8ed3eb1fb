package filehandleleak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Nightly import of lab results: every {@code *.csv} file a lab drops in the inbox holds one
 * result per line ({@code patientId,test,value}); each result goes to the sink (the results
 * database).
 */
public final class LabImporter {

    public record LabResult(String file, String patientId, String test, double value) {
    }

    /** Where imported results go. It may throw, for example when the database is down. */
    public interface Sink {
        void accept(LabResult result);
    }

    private final Sink sink;

    public LabImporter(Sink sink) {
        this.sink = sink;
    }

    /** Imports every {@code *.csv} file in {@code inbox}, in name order; returns the number of results. */
    public int importAll(Path inbox) throws IOException {
        // one lazy stream of (file, line) over the whole inbox; closing it closes every file
        Stream<LabResult> results = Stream.empty();
        for (Path file : csvFiles(inbox)) {
            Stream<String> lines;
            try {
                lines = Files.lines(file);
            } catch (IOException e) {
                results.close();
                throw e;
            }
            results = Stream.concat(results, lines.filter(line -> !line.isBlank()).map(line -> parse(file, line)));
        }
        try (Stream<LabResult> all = results) {
            int[] imported = {0};
            all.forEachOrdered(result -> {
                sink.accept(result);
                imported[0]++;
            });
            return imported[0];
        }
    }

    private static List<Path> csvFiles(Path inbox) throws IOException {
        try (Stream<Path> entries = Files.list(inbox)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList();
        }
    }

    private static LabResult parse(Path file, String line) {
        String[] fields = line.split(",");
        if (fields.length != 3) {
            throw new IllegalArgumentException(file.getFileName() + ": not a result line: " + line);
        }
        return new LabResult(file.getFileName().toString(), fields[0].trim(), fields[1].trim(),
                Double.parseDouble(fields[2].trim()));
    }
}
