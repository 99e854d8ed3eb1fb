package dev.kata.probe;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The test JVM's report to the grader: one JSON object per line, appended and flushed at once,
 * so that whatever was written survives the JVM being halted or killed mid-test.
 */
final class EventLog {
    private final OutputStream out;

    EventLog(Path file) throws IOException {
        this.out = new FileOutputStream(file.toFile(), true);
    }

    synchronized void write(Map<String, Object> event) {
        try {
            out.write((Json.write(event) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // Nowhere left to report to: the grader will see a test JVM that said nothing.
        }
    }
}
