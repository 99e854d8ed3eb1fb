package earlyexitmigration;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** What a migration run did: the records it migrated and the ones that failed, with why. */
public final class MigrationReport {
    private final int requested;
    private final Set<String> migrated = ConcurrentHashMap.newKeySet();
    private final Map<String, Exception> failures = new ConcurrentHashMap<>();

    MigrationReport(int requested) {
        this.requested = requested;
    }

    void recordSuccess(String patientId) {
        migrated.add(patientId);
    }

    void recordFailure(String patientId, Exception cause) {
        failures.put(patientId, cause);
    }

    /** How many records the run was asked to migrate. */
    public int requested() {
        return requested;
    }

    /** The ids of the records written to the new service, sorted. */
    public Set<String> migrated() {
        return new TreeSet<>(migrated);
    }

    /** The records that could not be migrated, sorted by id, with the exception that stopped each. */
    public Map<String, Exception> failures() {
        return new TreeMap<>(failures);
    }

    /** A few lines for the operator who runs the migration. */
    public String summary() {
        StringBuilder out = new StringBuilder()
                .append("Migrated ").append(migrated.size()).append(" of ").append(requested)
                .append(" patient records, ").append(failures.size()).append(" failed.");
        failures().forEach((id, cause) -> out.append(System.lineSeparator())
                .append("  FAILED ").append(id).append(": ").append(cause));
        return out.toString();
    }
}
