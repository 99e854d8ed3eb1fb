package racecache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps hot patient records in memory so that the ward dashboard does not go to the records
 * database on every request. Request threads call {@link #get} all the time; the nightly
 * import and the admission desk call {@link #put}.
 *
 * <p>Safe for many threads: each id maps to a future of its record. The first request for a
 * missing id installs its own future atomically and loads the record outside of any lock;
 * later requests for that id wait for that one load, and requests for other ids never wait.
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

    private final ConcurrentHashMap<String, CompletableFuture<Patient>> patients = new ConcurrentHashMap<>();
    private final PatientLoader loader;

    public PatientCache(PatientLoader loader) {
        this.loader = loader;
    }

    /** Returns the patient with this id, loading it from the database on a miss. */
    public Patient get(String id) {
        CompletableFuture<Patient> entry = patients.get(id);
        if (entry == null) {
            CompletableFuture<Patient> mine = new CompletableFuture<>();
            entry = patients.putIfAbsent(id, mine); // atomic: exactly one caller wins the miss
            if (entry == null) {
                return load(id, mine); // we won: load outside of any lock
            }
        }
        try {
            return entry.join(); // another caller is loading (or has loaded) this id: wait for it
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private Patient load(String id, CompletableFuture<Patient> mine) {
        try {
            Patient patient = loader.load(id);
            mine.complete(patient);
            return patient;
        } catch (RuntimeException | Error e) {
            patients.remove(id, mine); // do not cache the failure: the next request tries again
            throw e;
        }
    }

    /** Stores a fresh record, replacing any cached one. */
    public void put(Patient patient) {
        patients.put(patient.id(), CompletableFuture.completedFuture(patient));
    }

    /** How many patients are cached (a record still loading counts). */
    public int size() {
        return patients.size();
    }
}
