package dev.kata.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the learner's code used each file, as Flight Recorder saw it: every read and write of a
 * file, with its stack. The JDK has no event for opening a file, so a leaked file is placed at its
 * first read by the learner's code (else its first write), which is where the open that leaked it
 * is used, a line or two after it. Recording costs the test JVM about 0.3 s of CPU, so it is on
 * only for the katas about leaked files.
 */
final class FileUse {
    private static volatile Recording recording;

    private FileUse() {
    }

    /** Starts recording file reads and writes; false (and nothing recorded) if this JVM has no Flight Recorder. */
    static boolean start() {
        try {
            Recording r = new Recording();
            r.setName("kata-file-use");
            r.enable("jdk.FileRead").withThreshold(Duration.ZERO).withStackTrace();
            r.enable("jdk.FileWrite").withThreshold(Duration.ZERO).withStackTrace();
            r.setToDisk(false);
            r.start();
            recording = r;
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static boolean recording() {
        return recording != null;
    }

    /**
     * The learner's line that first read each of {@code paths} (else first wrote it), e.g.
     * {@code LabImporter.java:39}; paths the learner's code never touched are left out.
     */
    static Map<String, String> learnerLines(List<String> paths, ThreadDescriber describer) {
        Recording r = recording;
        Map<String, String> reads = new HashMap<>();
        Map<String, String> writes = new HashMap<>();
        if (r == null || describer == null || paths.isEmpty()) {
            return reads;
        }
        Path dump = null;
        try {
            dump = Files.createTempFile("kata-file-use", ".jfr");
            r.dump(dump);
            List<RecordedEvent> events = new java.util.ArrayList<>(RecordingFile.readAllEvents(dump));
            events.sort(java.util.Comparator.comparing(RecordedEvent::getStartTime));
            for (RecordedEvent event : events) {
                String path = event.hasField("path") ? event.getString("path") : null;
                if (path == null || !paths.contains(path) || event.getStackTrace() == null) {
                    continue;
                }
                String line = describer.location(stack(event.getStackTrace().getFrames()));
                if (line != null) {
                    (event.getEventType().getName().equals("jdk.FileRead") ? reads : writes).putIfAbsent(path, line);
                }
            }
        } catch (IOException | RuntimeException e) {
            return reads;
        } finally {
            if (dump != null) {
                try {
                    Files.deleteIfExists(dump);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
        writes.forEach(reads::putIfAbsent);
        return reads;
    }

    private static StackTraceElement[] stack(List<RecordedFrame> frames) {
        StackTraceElement[] out = new StackTraceElement[frames.size()];
        for (int i = 0; i < out.length; i++) {
            RecordedFrame f = frames.get(i);
            String type = f.getMethod().getType().getName();
            String simple = type.substring(type.lastIndexOf('.') + 1);
            int nested = simple.indexOf('$');
            String file = (nested < 0 ? simple : simple.substring(0, nested)) + ".java";
            out[i] = new StackTraceElement(type, f.getMethod().getName(), file, f.getLineNumber());
        }
        return out;
    }
}
