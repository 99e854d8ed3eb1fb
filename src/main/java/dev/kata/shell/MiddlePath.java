package dev.kata.shell;

/**
 * Shortens a path to fit a width by cutting its middle: the file name (with its {@code :line})
 * always stays, then as many folders as fit from both ends, {@code src/…/sumup/Adder.java:8}.
 */
final class MiddlePath {

    private MiddlePath() {
    }

    static String fit(String path, int room) {
        return fit(path, room, "…");
    }

    /** The same with {@code cut} for the middle ({@code ...} where the terminal is ASCII only). */
    static String fit(String path, int room, String cut) {
        if (path.length() <= room) {
            return path;
        }
        String[] parts = path.split("/", -1);
        String name = parts[parts.length - 1];
        if (parts.length == 1 || name.length() + cut.length() + 1 > room) {
            return name;
        }
        int head = 0; // parts kept from the start
        int tail = 1; // parts kept from the end, the name included
        boolean grew = true;
        while (grew) {
            grew = false;
            if (head + tail < parts.length && length(parts, head + 1, tail, cut) <= room) {
                head++;
                grew = true;
            }
            if (head + tail < parts.length && length(parts, head, tail + 1, cut) <= room) {
                tail++;
                grew = true;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < head; i++) {
            out.append(parts[i]).append('/');
        }
        out.append(cut);
        for (int i = parts.length - tail; i < parts.length; i++) {
            out.append('/').append(parts[i]);
        }
        return out.toString();
    }

    private static int length(String[] parts, int head, int tail, String cut) {
        int n = cut.length();
        for (int i = 0; i < head; i++) {
            n += parts[i].length() + 1;
        }
        for (int i = parts.length - tail; i < parts.length; i++) {
            n += parts[i].length() + 1;
        }
        return n;
    }
}
