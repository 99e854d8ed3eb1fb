package firstresponse;

import java.io.IOException;
import java.time.Duration;
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
        CompletableFuture<Profile> first = new CompletableFuture<>();
        AtomicInteger failed = new AtomicInteger();

        for (Replica replica : replicas) {
            Thread.ofVirtual().name("profile-" + replica.zone() + "-" + userId).start(() -> {
                try {
                    first.complete(replica.fetch(userId));
                } catch (Exception e) {
                    if (failed.incrementAndGet() == replicas.size()) {
                        // Every replica failed: report the last failure, inside an exception of our own, as a
                        // CompletableFuture takes some (CancellationException, CompletionException) as its own news.
                        first.completeExceptionally(
                                new ReplicaUnavailableException("no replica could serve " + userId, e));
                    }
                }
            });
        }

        try {
            return first.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (ReplicaUnavailableException) e.getCause();
        } catch (TimeoutException e) {
            throw new ReplicaUnavailableException("no replica answered within " + timeout.toMillis() + " ms", e);
        }
    }
}
