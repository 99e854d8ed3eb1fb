package dev.kata.render;

import dev.kata.catalog.Track;
import dev.kata.workspace.KataState;
import dev.kata.workspace.ProgressStatus;
import java.util.List;

/** {@code kata list}: the katas by track, each with its title and status. */
public final class ListText {
    private final Style style;

    public ListText(Style style) {
        this.style = style;
    }

    public String render(List<Track> tracks, List<KataState> states, boolean withWorkspace) {
        int idWidth = states.stream().mapToInt(s -> s.kata().id().length()).max().orElse(0) + 2;
        int titleWidth = states.stream().mapToInt(s -> s.kata().title().length()).max().orElse(0) + 2;
        StringBuilder out = new StringBuilder();
        for (Track track : tracks) {
            out.append(style.heading(track.title()));
            if (withWorkspace) {
                long inTrack = states.stream().filter(st -> st.kata().track().equals(track.id())).count();
                long passed = states.stream().filter(st -> st.kata().track().equals(track.id())
                        && st.status() == ProgressStatus.PASSED).count();
                out.append(style.dim("  " + passed + "/" + inTrack + " passed"));
            }
            out.append('\n');
            for (KataState state : states) {
                if (!state.kata().track().equals(track.id())) {
                    continue;
                }
                out.append("  ").append(StatusMarks.mark(style, state.status())).append(' ')
                        .append(style.bold(StatusMarks.pad(state.kata().id(), idWidth)))
                        .append(withWorkspace
                                ? StatusMarks.pad(state.kata().title(), titleWidth) + StatusMarks.label(style, state.status())
                                : state.kata().title())
                        .append('\n');
            }
            out.append('\n');
        }
        if (withWorkspace) {
            out.append(StatusMarks.next(style, states)).append('\n');
        }
        return out.toString();
    }
}
