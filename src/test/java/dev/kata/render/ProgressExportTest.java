package dev.kata.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kata.TestPacks;
import dev.kata.catalog.Catalog;
import dev.kata.catalog.CatalogLoader;
import dev.kata.workspace.KataState;
import dev.kata.workspace.LastVerdict;
import dev.kata.workspace.Progress;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** The exports of {@code kata progress}: JSON for {@code kata report}, JUnit XML for CI, Markdown for people. */
class ProgressExportTest {
    private static final Instant STARTED = Instant.parse("2026-03-01T09:00:00Z");
    private static final Instant SOLVED = Instant.parse("2026-03-02T10:30:00Z");
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
    /** A verdict summary with everything that can break XML or a Markdown table. */
    private static final String NASTY = "expected <5> & got \"-1\" | 'twice'\nsecond line\u0007 `code` *bold* ✓";

    @TempDir
    Path temp;
    ProgressExport export;

    @BeforeEach
    void export() {
        Catalog catalog = new CatalogLoader().load(TestPacks.copyMini(temp.resolve("katas")));
        Progress progress = Progress.EMPTY
                .update("sum-up", p -> p.started(STARTED).withHintsUsed(1)
                        .checked(new LastVerdict("fail", "test-failure", "off by one", STARTED.plusSeconds(60)))
                        .checked(new LastVerdict("pass", null, "all tests passed", SOLVED)))
                .update("greet-all", p -> p.started(STARTED).withHintsUsed(2)
                        .checked(new LastVerdict("fail", "race", NASTY, SOLVED)));
        List<KataState> states = KataState.of(catalog.katas(), progress, null);
        export = new ProgressExport("Ann <Lee> & co", catalog.name(), catalog.version(), NOW, catalog.tracks(), states);
    }

    @Test
    void jsonIsVersionedAndNamesTheLearnerAndEachRecord() throws Exception {
        JsonNode root = new ObjectMapper().readTree(ProgressJson.render(export));

        assertEquals(1, root.get("format").asInt());
        assertEquals("Ann <Lee> & co", root.get("learner").asText());
        assertEquals("mini", root.get("pack").get("name").asText());
        assertEquals("0.0.1", root.get("pack").get("version").asText());
        assertEquals(NOW.toString(), root.get("exportedAt").asText());
        JsonNode sumUp = root.get("tracks").get(0).get("katas").get(0);
        assertEquals("passed", sumUp.get("status").asText());
        assertEquals(STARTED.toString(), sumUp.get("startedAt").asText());
        assertEquals(SOLVED.toString(), sumUp.get("solvedAt").asText());
        assertEquals(2, sumUp.get("attempts").asInt());
        assertEquals(1, sumUp.get("hintsUsed").asInt());
        assertEquals(NASTY, root.get("tracks").get(0).get("katas").get(1).get("lastVerdict").get("summary").asText());
    }

    @Test
    void junitIsValidAgainstTheReportSchema() throws Exception {
        String xml = ProgressJUnit.render(export);

        var schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(getClass().getResource("/junit/testsuite.xsd"));
        schema.newValidator().validate(new StreamSource(new StringReader(xml)));
    }

    @Test
    void junitParsesBackToOneTestcasePerKata() throws Exception {
        Document doc = parse(ProgressJUnit.render(export));
        Element suite = doc.getDocumentElement();

        assertEquals("testsuite", suite.getTagName());
        assertEquals("3", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        assertEquals("1", suite.getAttribute("skipped"));
        assertEquals("0", suite.getAttribute("errors"));
        List<Element> cases = elements(suite.getElementsByTagName("testcase"));
        assertEquals(List.of("sum-up", "greet-all", "count-down"), cases.stream().map(c -> c.getAttribute("name")).toList());
        assertEquals("Ann-<Lee>-&-co.basics", cases.get(0).getAttribute("classname"));
        assertEquals("Ann-<Lee>-&-co.more", cases.get(2).getAttribute("classname"));

        Element passed = cases.get(0);
        assertEquals(0, passed.getElementsByTagName("failure").getLength() + passed.getElementsByTagName("skipped").getLength());
        String out = passed.getElementsByTagName("system-out").item(0).getTextContent();
        assertTrue(out.contains("started 2026-03-01T09:00:00Z, solved 2026-03-02T10:30:00Z, 2 checks, 1 hint"), out);

        Element failure = (Element) cases.get(1).getElementsByTagName("failure").item(0);
        assertEquals("race", failure.getAttribute("type"));
        String expected = "race: " + NASTY.replace('\u0007', '\uFFFD');
        assertEquals(expected, failure.getAttribute("message"), "escaped, with line breaks kept");
        assertTrue(failure.getTextContent().endsWith(expected), failure.getTextContent());

        Element skipped = (Element) cases.get(2).getElementsByTagName("skipped").item(0);
        assertEquals("not started", skipped.getAttribute("message"));

        Element learner = elements(suite.getElementsByTagName("property")).stream()
                .filter(p -> p.getAttribute("name").equals("kata.learner")).findFirst().orElseThrow();
        assertEquals("Ann <Lee> & co", learner.getAttribute("value"));
    }

    @Test
    void aKataStartedButNeverCheckedIsAFailureSayingSo() throws Exception {
        Progress progress = Progress.EMPTY.update("count-down", p -> p.started(STARTED));
        ProgressExport started = new ProgressExport("ann", "mini", "1", NOW, export.tracks(),
                KataState.of(export.states().stream().map(KataState::kata).toList(), progress, null));

        Element failure = (Element) parse(ProgressJUnit.render(started)).getElementsByTagName("failure").item(0);

        assertEquals("not-checked", failure.getAttribute("type"));
        assertEquals("started, not checked yet", failure.getAttribute("message"));
    }

    @Test
    void markdownIsATablePerTrackWithOneRowPerKataWhateverTheMessagesHold() {
        String md = new ProgressMarkdown(ZoneOffset.UTC).render(export);

        assertTrue(md.startsWith("## kata progress: Ann &lt;Lee&gt; & co\n\n"), md);
        assertTrue(md.contains("**1 of 3 passed**, 1 in progress, 1 not started · exported 2026-03-04 05:06 Z"), md);
        assertTrue(md.contains("\n### Basics\n\n| Kata | Status |"), md);
        assertTrue(md.contains("\n### More\n\n| Kata | Status |"), md);
        assertEquals(1, md.split("Basics", -1).length - 1, "the track title once, not on every row: " + md);
        List<String> rows = md.lines().filter(l -> l.startsWith("| `")).toList();
        assertEquals(3, rows.size(), md);
        assertEquals("| `sum-up` The adder that subtracts | ✅ passed | 2026-03-01 | 2026-03-02 | 2 | 1 | pass |",
                rows.get(0));
        String greet = rows.get(1);
        assertEquals(9, greet.split("(?<!\\\\)\\|", -1).length, "7 cells, the pipe in the message escaped: " + greet);
        assertTrue(greet.contains("**race**: expected &lt;5&gt; & got \"-1\" \\| 'twice' second line"), greet);
        assertTrue(greet.contains("second line \\`code\\` \\*bold\\* ✓ |"), "control characters dropped: " + greet);
        assertTrue(rows.get(2).contains("⬜ not started"), rows.get(2));
        assertFalse(md.contains("in full"), "nothing to detail: " + md);
    }

    @Test
    void markdownGivesTheGistOfALongVerdictInItsCellAndTheWholeBelowLinkedFromIt() {
        String verdict = "2 threads are deadlocked: worker-1 holds the lock of account A and waits for B, while worker-2 "
                + "holds B and waits for A. " + "Take the two locks in one global order. ".repeat(14);
        Progress progress = Progress.EMPTY.update("greet-all", p -> p.started(STARTED)
                .checked(new LastVerdict("fail", "deadlock", verdict, SOLVED)));
        ProgressExport long_ = new ProgressExport("ann", "mini", "1", NOW, export.tracks(),
                KataState.of(export.states().stream().map(KataState::kata).toList(), progress, null));

        String md = new ProgressMarkdown(ZoneOffset.UTC).render(long_);

        String row = md.lines().filter(l -> l.startsWith("| `greet-all`")).findFirst().orElseThrow();
        assertTrue(row.length() < 250, "a gist in the cell: " + row);
        assertTrue(row.endsWith("| **deadlock**: 2 threads are deadlocked: worker-1 holds the lock of account A and waits for B, "
                + "while worker-2… ([more](#greet-all-deadlock)) |"), row);
        assertTrue(md.contains("\n### Last failures in full\n\n#### greet-all: deadlock\n\n"
                + "The greeter that forgets, last checked 2026-03-02 10:30 Z:\n\n2 threads are deadlocked: worker-1"), md);
        assertTrue(md.contains("Take the two locks in one global order. Take the two"), md);
    }

    @Test
    void xmlEscapingDropsWhatXmlCannotHold() {
        assertEquals("a&amp;b&lt;c&gt;d&quot;e&#10;f", Xml.attribute("a&b<c>d\"e\nf"));
        assertEquals("x\uFFFDy", Xml.text("x\u0000y"));
        assertEquals("\uFFFD", Xml.text("\uD800"), "a lone surrogate");
        assertEquals("😀", Xml.text("😀"));
        assertFalse(Xml.text("]]>").contains("]]>"));
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        InputSource source = new InputSource(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        return factory.newDocumentBuilder().parse(source);
    }

    private static List<Element> elements(NodeList nodes) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }
}
