package filehandleleak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.FileOpenWatch;
import dev.kata.probe.api.Pitfalls;
import filehandleleak.LabImporter.LabResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
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
        IllegalStateException unavailable = new IllegalStateException("results database unavailable");
        LabImporter importer = new LabImporter(result -> {
            if (result.file().equals("lab-005.csv")) {
                throw unavailable;
            }
        });
        Throwable outcome = null;
        try {
            importer.importAll(inbox);
        } catch (Throwable e) {
            outcome = e; // the import stops at lab-005.csv; that is fine, leaving files open is not
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
        if (!causedBy(outcome, unavailable)) {
            fail("The results database failed while lab-005.csv was being imported (" + unavailable + "), and"
                    + " importAll() " + (outcome == null ? "returned normally" : "threw " + outcome + ", which is not"
                    + " that failure nor caused by it") + ": the sink's failure must reach the caller.", outcome);
        }
    }

    /** Whether {@code thrown} is {@code failure} or has it among its causes. */
    private static boolean causedBy(Throwable thrown, Throwable failure) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == failure) {
                return true;
            }
        }
        return false;
    }

    /** Blank lines are skipped as the importer always has: String.isBlank(), Unicode spaces included. */
    @Test
    @Order(4)
    void blankLinesOfAnyWhitespaceAreSkipped() throws IOException {
        Files.writeString(inbox.resolve("lab-000.csv"), "P-1,sodium,140\n\u2003\u3000 \t\n\nP-2,sodium,138\n");
        List<String> imported = new ArrayList<>();
        int count;
        try {
            count = new LabImporter(result -> imported.add(result.file() + ":" + result.patientId())).importAll(inbox);
        } catch (Exception e) {
            throw new AssertionError("importAll() threw " + e + " on an inbox whose lab-000.csv has two blank lines"
                    + " between its results, one of them only Unicode spaces (an em space, an ideographic space, a"
                    + " space and a tab, as a lab's export may write): a blank line is one that String.isBlank()"
                    + " calls blank; skip it, as the importer always has.", e);
        }
        assertEquals(List.of("lab-000.csv:P-1", "lab-000.csv:P-2"), imported.subList(0, Math.min(2, imported.size())),
                "lab-000.csv's two results come first; its blank lines are skipped");
        assertEquals(FILES * RESULTS_PER_FILE + 2, count, "every result of the inbox, none for a blank line");
    }

    @Test
    @Order(2)
    void onlyOneFileIsOpenAtATime() throws IOException {
        List<LabResult> imported = new ArrayList<>();
        int[] peak = {0};
        String[] peakAt = {null};
        LabImporter importer = new LabImporter(result -> {
            imported.add(result);
            int open = openLabFiles().size();
            if (open > peak[0]) {
                peak[0] = open;
                peakAt[0] = result.file();
            }
        });
        List<String> atOpen = new ArrayList<>(); // the lab files open just after an open, when more than one
        FileOpenWatch.afterEachOpen(path -> {
            List<String> open = openLabFiles();
            if (open.size() > 1 && atOpen.isEmpty()) {
                atOpen.addAll(open);
            }
        });
        int count;
        try {
            count = importer.importAll(inbox);
        } finally {
            FileOpenWatch.afterEachOpen(null);
        }

        if (peak[0] <= 1 && !atOpen.isEmpty()) {
            throw Pitfalls.resourceLeak("Just after importAll() opened a lab file, " + describe(atOpen) + " open at"
                    + " once: the next file was opened before the one before it was closed. Close each file"
                    + " before you open the next.");
        }
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

    @Test
    @Order(3)
    @DisplayName("seeded inboxes: empty files, blank lines, other files, failures at any result; one file open at most, none after")
    void seededInboxes() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path root = inbox;
        try {
            for (int n = 1; n <= 12; n++) {
                inbox = Files.createDirectory(root.resolve("scenario-" + n));
                // none, unchecked, unchecked I/O, Error, the sink's own IllegalArgumentException, a file that
                // cannot be read: each kind twice in every run
                int kind = n % 6;
                // The second scenario of that kind: a lab file withdrawn (deleted) while an earlier one is
                // imported, so that opening it fails; the first: bytes that are not UTF-8.
                boolean withdrawn = n == 11;
                int files = withdrawn ? 3
                        : kind == 0 ? new int[] {0, 1, 3, 10}[random.nextInt(4)] : new int[] {1, 3, 10}[random.nextInt(3)];
                List<String> expected = new ArrayList<>();
                StringBuilder shape = new StringBuilder();
                for (int f = 1; f <= files; f++) {
                    String name = String.format("lab-%03d.csv", f);
                    int results = random.nextInt(4); // 0: an empty file
                    StringBuilder text = new StringBuilder();
                    for (int r = 1; r <= results; r++) {
                        if (random.nextInt(4) == 0) {
                            text.append(random.nextBoolean() ? "\n" : "   \n"); // blank lines are skipped
                        }
                        text.append("P-").append(f * 100 + r).append(",sodium,").append(r);
                        if (r < results || random.nextBoolean()) {
                            text.append('\n');
                        }
                        expected.add(name + ":P-" + (f * 100 + r));
                    }
                    Files.writeString(inbox.resolve(name), text);
                }
                if (kind != 0 && expected.isEmpty()) {
                    Files.writeString(inbox.resolve("lab-999.csv"), "P-99901,sodium,1\n");
                    expected.add("lab-999.csv:P-99901");
                }
                String unreadable = null;
                if (withdrawn) {
                    Files.writeString(inbox.resolve("lab-000.csv"), "P-00001,sodium,1\n");
                    expected.add(0, "lab-000.csv:P-00001");
                    unreadable = "lab-003.csv";
                } else if (kind == 5) { // bytes that are not UTF-8 at the end of one lab file: reading it fails
                    try (Stream<Path> labFiles = Files.list(inbox)) {
                        List<Path> csv = labFiles.sorted().toList();
                        Path broken = csv.get(random.nextInt(csv.size()));
                        // inside a result line, so that a reader that replaces them imports the line as a result
                        java.io.ByteArrayOutputStream bad = new java.io.ByteArrayOutputStream();
                        bad.writeBytes("\nP-99999,sodi".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        bad.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe});
                        bad.writeBytes("um,1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        Files.write(broken, bad.toByteArray(), StandardOpenOption.APPEND);
                        unreadable = broken.getFileName().toString();
                    }
                }
                Files.writeString(inbox.resolve("README.txt"), "not a lab file\n");
                int failAt = kind == 0 || kind == 5 ? -1 : random.nextInt(expected.size());
                Throwable thrown = switch (kind) {
                    case 1 -> new IllegalStateException("results database unavailable");
                    case 2 -> new UncheckedIOException(new IOException("connection reset"));
                    case 3 -> new AssertionError("corrupt result row");
                    case 4 -> new IllegalArgumentException("unknown unit for sodium");
                    default -> null;
                };
                shape.append(String.format("seed %d, scenario %d: %s with %s%s%s", seed, n, count(files, "lab file"),
                        count(expected.size(), "result"), thrown == null ? "" : ", the sink throws " + thrown + " at result "
                                + (failAt + 1) + " (" + expected.get(failAt) + ")",
                        unreadable == null ? ""
                                : withdrawn ? ", lab-003.csv withdrawn (deleted) by the lab when the first result of"
                                        + " lab-000.csv arrived, so that it can no longer be opened"
                                : ", " + unreadable + " ending in a result line with two bytes in it that are not UTF-8"));
                String scenario = shape.toString();
                List<String> seen = new ArrayList<>();
                // Whether lab-003.csv was opened before it was withdrawn: then it was read, and may count.
                boolean[] withdrawnFileOpened = {false};
                boolean[] deleted = {false};
                if (withdrawn) {
                    FileOpenWatch.afterEachOpen(path -> {
                        if (!deleted[0] && path.endsWith("lab-003.csv")) {
                            withdrawnFileOpened[0] = true;
                        }
                    });
                }
                int[] peak = {0};
                String[] peakFiles = {""};
                LabImporter importer = new LabImporter(result -> {
                    List<String> open = seen.isEmpty() || !seen.get(seen.size() - 1).startsWith(result.file())
                            ? openLabFiles() : List.of(); // looked at on each file's first result
                    if (open.size() > peak[0]) {
                        peak[0] = open.size();
                        peakFiles[0] = String.join(", ", open.subList(0, Math.min(3, open.size())));
                    }
                    seen.add(result.file() + ":" + result.patientId());
                    if (withdrawn && !deleted[0]) {
                        deleted[0] = true;
                        try {
                            Files.deleteIfExists(inbox.resolve("lab-003.csv"));
                        } catch (IOException e) {
                            throw new UncheckedIOException("hidden test: could not withdraw lab-003.csv", e);
                        }
                    }
                    if (seen.size() == failAt + 1) {
                        throw LabImporterTest.<RuntimeException>sneaky(thrown);
                    }
                });
                Object outcome;
                try {
                    outcome = importer.importAll(inbox);
                } catch (Throwable e) {
                    outcome = e;
                } finally {
                    FileOpenWatch.afterEachOpen(null);
                }
                List<String> open = openInboxFiles();
                if (!open.isEmpty()) {
                    throw Pitfalls.resourceLeak("after importAll() " + (outcome instanceof Throwable e
                            ? "ended with " + e : "returned") + ", " + describe(open) + " still open (" + scenario
                            + "). Close each file on every path out of the code that reads it.");
                }
                if (peak[0] > 1) {
                    throw Pitfalls.resourceLeak(peak[0] + " lab files (" + peakFiles[0] + ") were open at once while"
                            + " results arrived (" + scenario + "). Close each file before you open the next.");
                }
                if (unreadable != null) {
                    if (!(outcome instanceof Throwable) && !withdrawnFileOpened[0]) {
                        fail("importAll() returned " + outcome + " (" + scenario + "): a file it could not read must"
                                + " not pass for imported" + (withdrawn ? "" : " (a reader that replaces bytes that"
                                + " are not UTF-8 with U+FFFD imports a corrupted result instead of failing)"));
                    }
                } else if (thrown != null) {
                    if (!causedBy(outcome instanceof Throwable e ? e : null, thrown)) {
                        fail("importAll() " + (outcome instanceof Throwable e ? "threw " + e : "returned " + outcome)
                                + " when the sink threw " + thrown + " (" + scenario + "): the sink's failure must"
                                + " reach the caller");
                    }
                    assertEquals(expected.subList(0, failAt + 1), seen, "the results the sink saw before it failed ("
                            + scenario + ")");
                } else {
                    if (outcome instanceof Throwable e) {
                        fail("importAll() failed with " + e + " (" + scenario + ")", e);
                    }
                    assertEquals(expected, seen, "the results the sink saw, in file-name order (" + scenario + ")");
                    assertEquals(expected.size(), outcome, "the count importAll() returned (" + scenario + ")");
                }
            }
        } finally {
            inbox = root;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    // ------------------------------------------------------------------ helpers

    /** Files of the inbox that this process holds open right now, seen through /proc/self/fd. */
    /** The lab files open now: {@link #openInboxFiles()} without the inbox folder itself (a listing of it). */
    private List<String> openLabFiles() {
        String folder = inbox.getFileName().toString();
        return openInboxFiles().stream().filter(name -> !name.equals(folder)).toList();
    }

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

    /** "1 lab file", "3 lab files". */
    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String describe(List<String> open) {
        String names = String.join(", ", open.subList(0, Math.min(3, open.size())))
                + (open.size() > 3 ? " and " + (open.size() - 3) + " more" : "");
        return open.size() == 1 ? "1 lab file (" + names + ") is" : open.size() + " lab files (" + names + ") are";
    }
}
