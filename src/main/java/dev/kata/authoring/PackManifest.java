package dev.kata.authoring;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.kata.KataException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds a kata to a pack's {@code pack.toml} by editing its text, so that the author's comments,
 * order and layout stay as they were; the result is parsed again to be sure it says what was meant.
 */
final class PackManifest {
    static final String DEFAULT_TRACK_ID = "own";
    static final String DEFAULT_TRACK_TITLE = "Our katas";

    private static final Pattern TRACK_HEADER =
            Pattern.compile("(?m)^[ \\t]*\\[\\[[ \\t]*tracks[ \\t]*]][ \\t]*(?:#.*)?$");
    private static final Pattern TABLE_HEADER = Pattern.compile("(?m)^[ \\t]*\\[");
    private static final Pattern KATAS_KEY = Pattern.compile("(?m)^[ \\t]*katas[ \\t]*=[ \\t]*\\[");

    private PackManifest() {
    }

    /** Where an id went: the track's id, and whether that track is new. */
    record Edit(String text, String trackId, boolean newTrack) {
    }

    /** A new pack.toml holding one kata. */
    static Edit create(String packName, String trackId, String id) {
        String track = trackId == null ? DEFAULT_TRACK_ID : trackId;
        String text = """
                name = %s
                version = "0.1.0"
                description = "Our team's katas."

                # Built-in katas to include, by id (kata list shows them), in a first track of their own:
                # include = ["leak-alert", "race-cache"]
                # A track can also include built-in katas before its own: include = [...] next to katas.

                [[tracks]]
                id = %s
                title = %s
                katas = [%s]
                """.formatted(quote(packName), quote(track), quote(titleFor(track)), quote(id));
        return new Edit(text, track, true);
    }

    /**
     * Adds {@code id} to the katas of the track {@code trackId} (null: the last track), or to a new
     * track at the end when there is no such track.
     *
     * @throws KataException if the manifest cannot be read or edited safely (say, tracks written as inline tables)
     */
    static Edit addKata(String text, String trackId, String id) {
        List<String> trackIds = trackIds(text);
        int index = trackId == null ? trackIds.size() - 1 : trackIds.indexOf(trackId);
        Edit edit;
        if (index < 0) {
            String track = trackId == null ? DEFAULT_TRACK_ID : trackId;
            String block = "[[tracks]]\nid = " + quote(track) + "\ntitle = " + quote(titleFor(track))
                    + "\nkatas = [" + quote(id) + "]\n";
            String base = text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
            edit = new Edit(base + "\n" + block, track, true);
        } else {
            edit = new Edit(insertIntoTrack(text, index, id), trackIds.get(index), false);
        }
        List<String> katas = katasOf(edit.text(), edit.trackId());
        if (!katas.contains(id)) {
            throw new KataException("could not add " + id + " to pack.toml by itself");
        }
        return edit;
    }

    /** Every kata id a manifest names, own or included. */
    static List<String> allIds(String text) {
        JsonNode root = parse(text);
        List<String> ids = new ArrayList<>();
        root.path("include").forEach(n -> ids.add(n.asText()));
        for (JsonNode track : root.path("tracks")) {
            track.path("include").forEach(n -> ids.add(n.asText()));
            track.path("katas").forEach(n -> ids.add(n.asText()));
        }
        return ids;
    }

    private static String insertIntoTrack(String text, int index, String id) {
        List<Integer> headers = new ArrayList<>();
        Matcher header = TRACK_HEADER.matcher(text);
        while (header.find()) {
            headers.add(header.end());
        }
        if (headers.size() != trackIds(text).size()) {
            throw new KataException("its tracks are not written as [[tracks]] tables");
        }
        int start = headers.get(index);
        Matcher next = TABLE_HEADER.matcher(text);
        int end = next.find(start) ? next.start() : text.length();
        String section = text.substring(start, end);
        Matcher key = KATAS_KEY.matcher(section);
        if (!key.find()) {
            int insertAt = start + endOfLastKeyLine(section);
            return text.substring(0, insertAt) + "\nkatas = [" + quote(id) + "]" + text.substring(insertAt);
        }
        int open = start + key.end() - 1;
        int close = closingBracket(text, open);
        return text.substring(0, open + 1) + withItem(text.substring(open + 1, close), id) + text.substring(close);
    }

    /** The body of an array (between its brackets) with one more string at its end. */
    private static String withItem(String body, String id) {
        int lastItemEnd = -1;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '#') {
                i = lineEnd(body, i) - 1;
            } else if (c == '"' || c == '\'') {
                i = stringEnd(body, i);
                lastItemEnd = i + 1;
            }
        }
        if (lastItemEnd < 0) {
            return body.isBlank() ? quote(id) : quote(id) + body;
        }
        boolean multiLine = body.indexOf('\n', lastItemEnd) >= 0;
        if (!multiLine) {
            return body.substring(0, lastItemEnd) + ", " + quote(id) + body.substring(lastItemEnd);
        }
        int lineStart = body.lastIndexOf('\n', lastItemEnd - 1) + 1;
        String indent = body.substring(lineStart).replaceFirst("(?s)^([ \\t]*).*", "$1");
        int lineEnd = lineEnd(body, lastItemEnd);
        String afterItem = body.substring(lastItemEnd, lineEnd);
        boolean comma = afterItem.stripLeading().startsWith(",");
        String before = comma ? body.substring(0, lineEnd) : body.substring(0, lastItemEnd) + "," + afterItem;
        return before + "\n" + indent + quote(id) + (comma ? "," : "") + body.substring(lineEnd);
    }

    private static int endOfLastKeyLine(String section) {
        String[] lines = section.split("\n", -1);
        int offset = 0;
        int end = 0;
        for (String line : lines) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                end = offset + line.length();
            }
            offset += line.length() + 1;
        }
        return end;
    }

    private static int closingBracket(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '#') {
                i = lineEnd(text, i) - 1;
            } else if (c == '"' || c == '\'') {
                i = stringEnd(text, i);
            } else if (c == '[') {
                depth++;
            } else if (c == ']' && --depth == 0) {
                return i;
            }
        }
        throw new KataException("an array in it is not closed");
    }

    private static int stringEnd(String text, int open) {
        char quote = text.charAt(open);
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == '"' && c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return text.length() - 1;
    }

    private static int lineEnd(String text, int from) {
        int n = text.indexOf('\n', from);
        return n < 0 ? text.length() : (n > 0 && text.charAt(n - 1) == '\r' ? n - 1 : n);
    }

    private static List<String> trackIds(String text) {
        List<String> ids = new ArrayList<>();
        parse(text).path("tracks").forEach(t -> ids.add(t.path("id").asText("")));
        return ids;
    }

    private static List<String> katasOf(String text, String trackId) {
        for (JsonNode track : parse(text).path("tracks")) {
            if (track.path("id").asText("").equals(trackId)) {
                List<String> ids = new ArrayList<>();
                track.path("katas").forEach(n -> ids.add(n.asText()));
                return ids;
            }
        }
        return List.of();
    }

    static JsonNode parse(String text) {
        try {
            JsonNode root = new TomlMapper().readTree(text);
            if (root == null || !root.isObject()) {
                throw new KataException("it is empty");
            }
            return root;
        } catch (JacksonException e) {
            throw new KataException("it is not valid TOML: " + e.getOriginalMessage());
        }
    }

    private static String titleFor(String trackId) {
        if (trackId.equals(DEFAULT_TRACK_ID)) {
            return DEFAULT_TRACK_TITLE;
        }
        String words = trackId.replace('-', ' ').replace('_', ' ').strip();
        return words.isEmpty() ? trackId : Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
