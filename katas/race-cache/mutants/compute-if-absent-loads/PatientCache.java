package racecache;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps hot patient records in memory so that the ward dashboard does not go to the records
 * database on every request. Request threads call {@link #get} all the time; the nightly
 * import and the admission desk call {@link #put}.
 */
public final class PatientCache {

    /** A patient record as the dashboard shows it. */
    public record Patient(String id, String name) {
    }

    /** Fetches one record from the records database: slow, often tens of milliseconds. */
    @FunctionalInterface
    public interface PatientLoader {
        Patient load(String id);
    }

    private final ConcurrentHashMap<String, Patient> patients = new ConcurrentHashMap<>();
    private final PatientLoader loader;

    public PatientCache(PatientLoader loader) {
        this.loader = loader;
    }

    /** Returns the patient with this id, loading it from the database on a miss. */
    public Patient get(String id) {
        // computeIfAbsent runs the loader only for the first request that misses this id;
        // the others for the same id wait for it and get the same record.
        return patients.computeIfAbsent(id, loader::load);
    }

    /** Stores a fresh record, replacing any cached one. */
    public void put(Patient patient) {
        patients.put(patient.id(), patient);
    }

    /** How many patients are cached. */
    public int size() {
        return patients.size();
    }
}
