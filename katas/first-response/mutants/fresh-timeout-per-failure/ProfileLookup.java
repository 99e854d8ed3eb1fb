package firstresponse;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads user profiles for the login service. Every profile is stored on replicas in two zones;
 * to cut the slow tail of lookups, each lookup asks all replicas at once and takes the first
 * answer that comes back (a "hedged" request).
 *
 * <p>Once the lookup has its answer, or has given up, the calls still running are cancelled:
 * a loser must not keep a thread, a connection and a busy replica for an answer nobody reads.
 */
public final class ProfileLookup {

    /** A user's profile. */
    public record Profile(String userId, String displayName, String zone) {
    }

    /** One replica of the profile store. A call can be cancelled by interrupting its thread. */
    public interface Replica {
        String zone();

        Profile fetch(String userId) throws IOException, InterruptedException;
    }

    /** No replica could answer: all of them failed, or none answered in time. */
    public static final class ReplicaUnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        public ReplicaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final List<Replica> replicas;

    public ProfileLookup(List<Replica> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one replica is needed");
        }
        this.replicas = List.copyOf(replicas);
    }

    /**
     * Asks every replica for {@code userId} and returns the first profile that comes back.
     * A replica that fails is ignored as long as another one can still answer.
     *
     * @throws ReplicaUnavailableException if every replica failed, or none answered within {@code timeout}
     */
    public Profile fetch(String userId, Duration timeout) throws ReplicaUnavailableException, InterruptedException {
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var done = new java.util.concurrent.ExecutorCompletionService<Profile>(executor);
            List<java.util.concurrent.Future<Profile>> calls = new ArrayList<>();
            for (Replica replica : replicas) {
                calls.add(done.submit(() -> replica.fetch(userId)));
            }
            try {
                Throwable last = null;
                for (int i = 0; i < calls.size(); i++) {
                    var next = done.poll(timeout.toNanos(), TimeUnit.NANOSECONDS); // wait up to the timeout for the next one
                    if (next == null) {
                        throw new ReplicaUnavailableException("no replica answered within " + timeout.toMillis() + " ms", null);
                    }
                    try {
                        return next.get();
                    } catch (ExecutionException e) {
                        last = e.getCause();
                    }
                }
                throw new ReplicaUnavailableException("no replica could serve " + userId, last);
            } finally {
                calls.forEach(c -> c.cancel(true));
            }
        }
    }
}
