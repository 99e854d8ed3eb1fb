package dev.kata.shell;

import java.util.List;

/**
 * One screenful as the session wants it shown, before it is fitted to the terminal: lines in ANSI
 * (colour through Jansi, or plain). {@code body} may be longer than the screen; {@code scroll} is
 * its first line shown. {@code bodyVersion} changes whenever the body's content does (the line
 * screen of a dumb terminal prints the body again only then).
 */
record Frame(String title, String progress, List<String> body, int scroll, long bodyVersion, String status,
        boolean statusAnimated, String file, String keys) {
}
