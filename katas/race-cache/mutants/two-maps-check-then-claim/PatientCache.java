package racecache;

import java.util.concurrent.CompletableFuture;
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

    /** The records, and only records: size() is simply its size. */
    private final ConcurrentHashMap<String, Patient> patients = new ConcurrentHashMap<>();
    /** Loads in progress, so that concurrent misses of one id share one load. */
    private final ConcurrentHashMap<String, CompletableFuture<Patient>> loading =
            new ConcurrentHashMap<>();
    private final PatientLoader loader;

    public PatientCache(PatientLoader loader) {
        this.loader = loader;
    }

    /** Returns the patient with this id, loading it from the database on a miss. */
    public Patient get(String id) {
        Patient cached = patients.get(id);
        if (cached != null) {
            return cached;
        }
        CompletableFuture<Patient> mine = new CompletableFuture<>();
        CompletableFuture<Patient> other = loading.putIfAbsent(id, mine);
        if (other != null) {
            return other.join(); // somebody is loading it: wait for that load
        }
        try {
            Patient patient = loader.load(id); // no lock held while loading
            patients.putIfAbsent(id, patient); // a put() from the admission desk wins
            mine.complete(patient);
            return patient;
        } catch (Throwable failure) {
            mine.completeExceptionally(failure);
            throw failure;
        } finally {
            loading.remove(id, mine);
        }
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
