package racecache;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Patient> patients = new HashMap<>();
    private final PatientLoader loader;

    public PatientCache(PatientLoader loader) {
        this.loader = loader;
    }

    /** Returns the patient with this id, loading it from the database on a miss. */
    public Patient get(String id) {
        lock.readLock().lock();
        try {
            Patient patient = patients.get(id);
            if (patient != null) {
                return patient;
            }
        } finally {
            lock.readLock().unlock();
        }
        lock.writeLock().lock();
        try {
            // Check again: another request may have loaded it while we waited for the lock.
            Patient patient = patients.get(id);
            if (patient == null) {
                patient = loader.load(id); // loads once, but with every reader locked out
                patients.put(id, patient);
            }
            return patient;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Stores a fresh record, replacing any cached one. */
    public void put(Patient patient) {
        lock.writeLock().lock();
        try {
            patients.put(patient.id(), patient);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** How many patients are cached. */
    public int size() {
        lock.readLock().lock();
        try {
            return patients.size();
        } finally {
            lock.readLock().unlock();
        }
    }
}
