package onceinit;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a prescription for known drug-drug interactions before the pharmacist signs it off.
 * The interaction table comes from the pharmacology service: a full download takes several
 * seconds and tens of megabytes, so it is fetched once, on the first check, and kept.
 * Prescriptions are checked from many request threads at once.
 */
public final class InteractionChecker {

    /** A known interaction between two drugs. */
    public record Interaction(String drugA, String drugB, String severity) {
    }

    /** Downloads the whole interaction table from the pharmacology service. Slow. */
    @FunctionalInterface
    public interface InteractionSource {
        List<Interaction> fetchAll();
    }

    private final InteractionSource source;
    private final Object loadLock = new Object();
    private Map<String, Interaction> table;

    public InteractionChecker(InteractionSource source) {
        this.source = source;
    }

    /** The known interaction between two drugs, in either order, or empty if there is none. */
    public Optional<Interaction> check(String drugA, String drugB) {
        return Optional.ofNullable(table().get(key(drugA, drugB)));
    }

    /**
     * The interaction table, downloaded on first use, exactly once. Double-checked locking:
     * once the table is there, a check reads the field and takes no lock. Before
     * that, the first caller downloads under the lock while the others wait for it, and the
     * table is published only when it is complete. If the download fails, nothing is
     * published and the next check tries again.
     */
    private Map<String, Interaction> table() {
        Map<String, Interaction> t = table;
        if (t == null) {
            synchronized (loadLock) {
                t = table;
                if (t == null) {
                    Map<String, Interaction> loaded = new HashMap<>();
                    for (Interaction i : source.fetchAll()) {
                        loaded.put(key(i.drugA(), i.drugB()), i);
                    }
                    t = loaded;
                    table = t;
                }
            }
        }
        return t;
    }

    private static String key(String drugA, String drugB) {
        String a = drugA.toLowerCase(Locale.ROOT);
        String b = drugB.toLowerCase(Locale.ROOT);
        return a.compareTo(b) <= 0 ? a + "+" + b : b + "+" + a;
    }
}
