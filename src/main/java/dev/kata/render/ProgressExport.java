package dev.kata.render;

import dev.kata.catalog.Track;
import dev.kata.workspace.KataState;
import java.time.Instant;
import java.util.List;

/**
 * One learner's progress over a pack, as {@code kata progress} exports it.
 *
 * @param learner     who (git's user.name, $USER, or --learner)
 * @param packName    the pack's name
 * @param packVersion the pack's version
 * @param exportedAt  when the export was made
 * @param tracks      the pack's tracks, in order
 * @param states      each kata with the learner's record of it, in order
 */
public record ProgressExport(String learner, String packName, String packVersion, Instant exportedAt,
                             List<Track> tracks, List<KataState> states) {
    public ProgressExport {
        tracks = List.copyOf(tracks);
        states = List.copyOf(states);
    }

    List<KataState> inTrack(Track track) {
        return states.stream().filter(s -> s.kata().track().equals(track.id())).toList();
    }
}
