package dev.kata.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The command that opens the learner's file in their editor ({@code $VISUAL}, else {@code $EDITOR}), at a line when it can. */
final class EditorLauncher {
    /** Editors that take {@code +LINE FILE}. */
    private static final Set<String> PLUS_LINE = Set.of("vi", "vim", "nvim", "gvim", "view", "nano", "pico", "emacs",
            "emacsclient", "micro", "kak", "mg", "joe", "jed", "ne", "mcedit");
    /** Editors that take {@code -g FILE:LINE}. */
    private static final Set<String> GOTO_FLAG = Set.of("code", "codium", "code-insiders", "cursor");
    /** Editors that take {@code FILE:LINE}. */
    private static final Set<String> COLON_LINE = Set.of("subl", "hx", "helix", "zed");

    private EditorLauncher() {
    }

    /** What git runs when nothing names an editor: vi, which POSIX systems have. */
    static final String FALLBACK = "vi";

    /** The editor the environment names, else {@link #FALLBACK} (as git does). */
    static String editor(Map<String, String> env) {
        for (String name : new String[] {"VISUAL", "EDITOR"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return FALLBACK;
    }

    /** Whether the environment names an editor itself. */
    static boolean named(Map<String, String> env) {
        return !editor(env).equals(FALLBACK) || FALLBACK.equals(env.get("EDITOR")) || FALLBACK.equals(env.get("VISUAL"));
    }

    /**
     * What the session says when no editor could start: the file (and line) to open by hand always
     * fits {@code width}, cut in the middle with {@code cutMark} if need be; the sentence around it shortens first.
     */
    static String noEditor(String fileAndLine, int width, String cutMark) {
        String lead = "No editor: open ";
        String tail = "; saving checks it.";
        String cut = MiddlePath.fit(fileAndLine, width - lead.length() - tail.length(), cutMark);
        return TerminalScreen.firstFitting(width,
                "No $VISUAL or $EDITOR is set and vi is not installed: open " + fileAndLine
                        + " in your editor (saving it checks it), or set one: export EDITOR=...",
                "No $EDITOR is set and vi is not installed: open " + fileAndLine + " in your editor; saving it checks it.",
                "No $EDITOR and no vi: open " + fileAndLine + " yourself; saving checks it.",
                lead + fileAndLine + tail,
                lead + cut + tail,
                lead + cut,
                "No editor: " + MiddlePath.fit(fileAndLine, width - "No editor: ".length(), cutMark));
    }

    /**
     * The command to run: through {@code sh -c} as git does, so that an editor with options
     * ({@code code --wait}) works; the file (and line) are passed as arguments, never pasted into the script.
     */
    static List<String> command(String editor, Path file, int line) {
        String first = editor.split("\\s+")[0];
        String name = Path.of(first).getFileName().toString();
        List<String> args = new ArrayList<>();
        if (line > 0 && PLUS_LINE.contains(name)) {
            args.add("+" + line);
            args.add(file.toString());
        } else if (line > 0 && GOTO_FLAG.contains(name)) {
            args.add("-g");
            args.add(file + ":" + line);
        } else if (line > 0 && COLON_LINE.contains(name)) {
            args.add(file + ":" + line);
        } else {
            args.add(file.toString());
        }
        List<String> command = new ArrayList<>(List.of("sh", "-c", editor + " \"$@\"", "kata-editor"));
        command.addAll(args);
        return command;
    }
}
