package dev.kata.grader;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the event log while the test JVM writes it: complete new lines only. */
final class EventReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private long offset;
    private final StringBuilder partial = new StringBuilder();

    EventReader(Path file) {
        this.file = file;
    }

    List<ProbeEvent> poll() {
        List<ProbeEvent> events = new ArrayList<>();
        if (!Files.exists(file)) {
            return events;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length <= offset) {
                return events;
            }
            byte[] bytes = new byte[(int) (length - offset)];
            raf.seek(offset);
            raf.readFully(bytes);
            offset = length;
            partial.append(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return events;
        }
        int newline;
        while ((newline = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, newline);
            partial.delete(0, newline + 1);
            if (line.isBlank()) {
                continue;
            }
            try {
                events.add(new ProbeEvent(JSON.readTree(line)));
            } catch (IOException e) {
                // a line cut short by a dying JVM: nothing to learn from it
            }
        }
        return events;
    }
}
