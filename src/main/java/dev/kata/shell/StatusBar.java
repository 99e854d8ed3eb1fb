package dev.kata.shell;

import dev.kata.render.Style;
import java.util.List;

/**
 * The chrome around the body: the title and the catalog's progress above it; below it the status
 * line (a check under way, a notice, the latest verdict), the file to edit and the keys that fit.
 */
final class StatusBar {
    private static final String SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    private static final java.time.format.DateTimeFormatter WHEN = java.time.format.DateTimeFormatter
            .ofPattern("d MMM HH:mm", java.util.Locale.ROOT).withZone(java.time.ZoneId.systemDefault());

    private final SessionState state;
    private final Standings standings;
    private final Style style;
    private final boolean dumb;
    /** How a path's cut middle shows: {@code ...} on an ASCII terminal, and measured so. */
    private final String cut;

    StatusBar(SessionState state, Standings standings, Style style, boolean dumb, boolean unicode) {
        this.state = state;
        this.standings = standings;
        this.style = style;
        this.dumb = dumb;
        this.cut = unicode ? "…" : "...";
    }

    String title() {
        return style.bold("kata") + "  " + style.heading(state.kata.id()) + " · " + state.kata.title()
                + style.dim("  (" + standings.position(state.kata) + " of " + standings.states().size() + ")");
    }

    String progress() {
        int total = standings.states().size();
        return Celebration.bar(style, standings.passed(), total, Math.min(total, 12));
    }

    String spinner() {
        return dumb ? "…" : String.valueOf(SPINNER.charAt(state.frame % SPINNER.length()));
    }

    String status(int width) {
        if (state.confirmingReset) {
            return resetQuestion(style, state.kata.id(), width);
        }
        CommandJob job = state.command;
        if (job != null) {
            if (job.cancelled()) {
                return style.cyan(spinner()) + " stopping " + job.label() + "…";
            }
            if (state.notice != null) {
                return style.cyan(spinner()) + " " + state.notice;
            }
            String last = lastLine(job.output());
            return style.cyan(spinner()) + " " + job.label() + "  " + seconds(job.elapsedMillis())
                    + (last.isEmpty() ? "" : style.dim("  " + last)) + style.dim("   q or Ctrl-C stops it");
        }
        SessionState.RunningCheck check = state.check;
        if (check != null) {
            String counts = check.passed + check.failed == 0 ? ""
                    : "  " + style.green(check.passed + " ✔") + (check.failed > 0 ? " " + style.red(check.failed + " ✘") : "");
            return style.cyan(spinner()) + " checking " + state.kata.id() + ": " + check.label + counts
                    + style.dim("   Ctrl-C stops it");
        }
        if (state.notice != null) {
            return state.notice;
        }
        if (state.verdict != null) {
            if (state.verdict.passed()) {
                return style.passMark() + " " + style.bold(state.kata.id()) + " passes." + style.dim("  s solution · n next kata");
            }
            if (state.verdict.status() == dev.kata.grader.Status.INCONCLUSIVE) {
                return style.unsureMark() + " " + style.bold(state.kata.id()) + ": inconclusive - "
                        + state.verdict.summary() + style.dim("  c checks again");
            }
            return style.failMark() + " " + style.bold(state.kata.id()) + " fails: "
                    + style.red(state.verdict.reason() == null ? "failed" : state.verdict.reason().id()) + " - "
                    + state.verdict.summary();
        }
        dev.kata.workspace.LastVerdict stored = standings.lastVerdict(state.kata);
        if (stored != null) {
            String when = stored.at() == null ? "" : " (" + WHEN.format(stored.at()) + ")";
            return (stored.passed() ? style.passMark() + " Last check" + when + ": passed."
                    : style.failMark() + " Last check" + when + ": " + style.red(stored.reason() == null ? "failed"
                            : stored.reason()) + " - " + stored.summary())
                    + style.dim("  Save or press c to check again.");
        }
        return style.dim("Not checked yet: save the file, or press c.");
    }

    /** Asks before a reset; the keys that answer stay in sight at any width, the rest is shortened first. */
    static String resetQuestion(Style style, String kataId, int width) {
        String yes = style.bold("y") + " resets, any other key keeps it.";
        String yesShort = style.bold("y") + " resets, other keys keep it.";
        return TerminalScreen.firstFitting(width,
                style.yellow("Reset " + kataId + " to its starter?") + " Your version is backed up first. " + yes,
                style.yellow("Reset " + kataId + " to its starter?") + " " + yes,
                style.yellow("Reset " + kataId + "?") + " " + yes,
                style.yellow("Reset " + kataId + "?") + " " + yesShort,
                style.yellow("Reset?") + " " + yesShort,
                style.yellow("Reset?") + " [" + style.bold("y") + "/N]");
    }

    /** The last line a command printed, plain: its progress so far. */
    private static String lastLine(String output) {
        List<String> lines = output.stripTrailing().lines().toList();
        return lines.isEmpty() ? "" : org.jline.utils.AttributedString.fromAnsi(lines.get(lines.size() - 1)).toString().strip();
    }

    private static String seconds(long millis) {
        return millis / 1000 + " s";
    }

    /** The file to edit, its path cut in the middle rather than losing its name at a narrow width. */
    String file(String fileAndLine, boolean watchEvents, int width) {
        String after = watchEvents ? "  save to check" : "  save to check (polling)";
        String edit = "Edit ";
        int room = width - "✎ ".length() - edit.length();
        if (fileAndLine.length() + after.length() > room) {
            after = fileAndLine.length() + "  save to check".length() <= room ? "  save to check" : "";
        }
        if (MiddlePath.fit(fileAndLine, room - after.length(), cut).indexOf('/') < 0 && fileAndLine.indexOf('/') >= 0) {
            // Too narrow for even one folder: the file's name and line matter more than the word.
            edit = "";
            room += "Edit ".length();
        }
        return style.bold("✎ ") + edit + style.bold(MiddlePath.fit(fileAndLine, room - after.length(), cut))
                + style.dim(after);
    }

    String keys(boolean passed, int width) {
        List<String[]> help = KeyMap.help(passed);
        StringBuilder line = new StringBuilder();
        int used = 0;
        String[] last = help.get(help.size() - 1);
        int reserve = last[0].length() + 1 + last[1].length();
        for (int i = 0; i < help.size(); i++) {
            String[] k = help.get(i);
            int len = k[0].length() + 1 + k[1].length() + (used == 0 ? 0 : 2);
            boolean isLast = i == help.size() - 1;
            if (!isLast && used + len + 2 + reserve > width) {
                continue;
            }
            if (used > 0) {
                line.append("  ");
            }
            line.append(style.bold(k[0])).append(' ').append(style.dim(k[1]));
            used += len;
        }
        return line.toString();
    }
}
