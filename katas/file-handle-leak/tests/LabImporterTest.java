package filehandleleak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kata.probe.api.Pitfalls;
import filehandleleak.LabImporter.LabResult;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the file-handle-leak kata. Each test writes an inbox of lab files to a
 * temporary folder and watches, through /proc/self/fd, which of them the importer holds open.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabImporterTest {

    private static final int FILES = 12;
    private static final int RESULTS_PER_FILE = 3;

    private Path inbox;

    @BeforeEach
    void writeInbox() throws IOException {
        inbox = Files.createTempDirectory("lab-inbox").toRealPath();
        for (int f = 1; f <= FILES; f++) {
            StringBuilder text = new StringBuilder();
            for (int r = 1; r <= RESULTS_PER_FILE; r++) {
                text.append("P-").append(f * 100 + r).append(",potassium,").append(3.5 + r / 10.0).append('\n');
            }
            Files.writeString(inbox.resolve(String.format("lab-%03d.csv", f)), text);
        }
    }

    @AfterEach
    void removeInbox() throws IOException {
        try (Stream<Path> files = Files.walk(inbox)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    @Order(1)
    void aFailingSinkLeavesNoFileOpen() throws IOException {
        LabImporter importer = new LabImporter(result -> {
            if (result.file().equals("lab-005.csv")) {
                throw new IllegalStateException("results database unavailable");
            }
        });
        try {
            importer.importAll(inbox);
        } catch (IllegalStateException expected) {
            // the import stops at lab-005.csv; that is fine, leaving files open is not
        }
        List<String> open = openInboxFiles();
        if (!open.isEmpty()) {
            throw Pitfalls.resourceLeak("The results database failed while lab-005.csv was being imported, "
                    + "and importAll() gave up, as it may. But " + describe(open) + " still open "
                    + "after it returned, and nothing will ever close " + (open.size() == 1 ? "it" : "them")
                    + ": whatever was meant to close them sits on the happy path (or is missing), and the "
                    + "exception jumped over it. "
                    + "Every night the database hiccups, more handles leak, until the process hits its "
                    + "open-file limit (\"Too many open files\"). Close each file on every path out: "
                    + "try-with-resources.");
        }
    }

    @Test
    @Order(2)
    void onlyOneFileIsOpenAtATime() throws IOException {
        List<LabResult> imported = new ArrayList<>();
        int[] peak = {0};
        String[] peakAt = {null};
        LabImporter importer = new LabImporter(result -> {
            imported.add(result);
            int open = openInboxFiles().size();
            if (open > peak[0]) {
                peak[0] = open;
                peakAt[0] = result.file();
            }
        });
        int count = importer.importAll(inbox);

        if (peak[0] > 1) {
            throw Pitfalls.resourceLeak("While importing " + peakAt[0] + ", " + peak[0] + " lab files were "
                    + "open at once: each file stays open until the whole batch is done, so the number of "
                    + "handles grows with the size of the inbox. " + FILES + " files here; a lab that drops "
                    + "20,000 files in one night exhausts the process's file descriptors halfway through "
                    + "(this is Go's `defer f.Close()` inside a loop: it runs when the function returns, "
                    + "not at the end of each iteration). Close each file before you open the next.");
        }
        List<String> open = openInboxFiles();
        if (!open.isEmpty()) {
            throw Pitfalls.resourceLeak("importAll() finished, but " + describe(open) + " still open. "
                    + "Close every file you open.");
        }
        assertEquals(FILES * RESULTS_PER_FILE, count,
                "importAll() should report every result of the " + FILES + " files");
        assertEquals(FILES * RESULTS_PER_FILE, imported.size(), "every result should reach the sink");
        assertEquals("lab-001.csv", imported.get(0).file(), "files are imported in name order");
        assertEquals("P-101", imported.get(0).patientId(), "the first result of lab-001.csv comes first");
    }

    // ------------------------------------------------------------------ helpers

    /** Files of the inbox that this process holds open right now, seen through /proc/self/fd. */
    private List<String> openInboxFiles() {
        List<String> open = new ArrayList<>();
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return open;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(inbox.toString())) {
                        open.add(Path.of(target.replace(" (deleted)", "")).getFileName().toString());
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed while we looked
                }
            }
        } catch (IOException e) {
            return open;
        }
        open.sort(null);
        return open;
    }

    private static String describe(List<String> open) {
        String names = String.join(", ", open.subList(0, Math.min(3, open.size())))
                + (open.size() > 3 ? " and " + (open.size() - 3) + " more" : "");
        return open.size() == 1 ? "1 lab file (" + names + ") is" : open.size() + " lab files (" + names + ") are";
    }
}
