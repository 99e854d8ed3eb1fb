package dev.kata.daemon;

import dev.kata.catalog.Kata;
import dev.kata.grader.CheckListener;
import dev.kata.grader.Grader;
import dev.kata.grader.GraderSettings;
import dev.kata.grader.Verdict;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the command line grades: through the grader daemon when one is up and free, else by itself;
 * either way it leaves a daemon up for the next check, ready for this kata. {@code KATA_DAEMON=off}
 * turns the daemon off (every check then starts cold, as with {@code kata validate}).
 */
public final class CheckService {
    private final Path cacheDir;
    private final DaemonAddress address;

    private CheckService(Path cacheDir, DaemonAddress address) {
        this.cacheDir = cacheDir;
        this.address = address;
    }

    public static CheckService of(Path cacheDir, Map<String, String> env) {
        String setting = env.getOrDefault("KATA_DAEMON", "on").trim().toLowerCase(java.util.Locale.ROOT);
        boolean off = setting.equals("off") || setting.equals("0") || setting.equals("false") || setting.equals("no");
        return new CheckService(cacheDir, off ? null : DaemonAddress.forThisTutor(cacheDir));
    }

    public Verdict check(Kata kata, Path sourceDir, CheckListener listener) {
        if (address != null) {
            Verdict verdict = new DaemonClient(address).check(kata, sourceDir, listener);
            if (verdict != null) {
                return verdict; // the daemon is up, and has started the next check's JVM already
            }
        }
        Verdict verdict = new Grader(GraderSettings.defaults(cacheDir)).check(kata, sourceDir, listener);
        prepare(kata);
        return verdict;
    }

    /** Gets a daemon ready for checks of {@code kata}, starting one if none answers. Returns at once. */
    public void prepare(Kata kata) {
        if (address == null) {
            return;
        }
        DaemonClient client = new DaemonClient(address);
        if (!client.prepare(kata)) {
            client.start(cacheDir, kata);
        }
    }
}
