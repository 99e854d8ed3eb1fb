package tickerleak;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps partner sessions alive: while a session is open, it pings the partner every
 * {@code every}, or the partner drops the session.
 *
 * <p>The keep-alive owns the scheduler it is given: it runs every heartbeat on it, and
 * {@link #close()} is the end of its life.
 */
public final class KeepAlive implements AutoCloseable {

    /** Sends one keep-alive ping for a session to the partner. */
    public interface Pinger {
        void ping(String sessionId);
    }

    private final Pinger pinger;
    private final Duration every;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ScheduledFuture<?>> heartbeats = new ConcurrentHashMap<>();

    public KeepAlive(Pinger pinger, Duration every, ScheduledExecutorService scheduler) {
        this.pinger = pinger;
        this.every = every;
        this.scheduler = scheduler;
    }

    /** Starts pinging for a session that has just been opened. */
    public void open(String sessionId) {
        long period = every.toNanos();
        ScheduledFuture<?> heartbeat = scheduler.scheduleAtFixedRate(
                () -> {
                    if (!heartbeats.containsKey(sessionId)) {
                        // an exception ends a periodic task: it stops itself at its next tick
                        throw new CancellationException("session " + sessionId + " has ended");
                    }
                    pinger.ping(sessionId);
                }, period, period, TimeUnit.NANOSECONDS);
        ScheduledFuture<?> previous = heartbeats.put(sessionId, heartbeat);
        if (previous != null) {
            previous.cancel(false); // reopened: one heartbeat per session, not two
        }
    }

    /** The session has ended: it needs no more pings. */
    public void end(String sessionId) {
        heartbeats.remove(sessionId); // its task notices at its next tick and stops itself
    }

    /** Shuts the keep-alive down: no session is pinged any more. */
    @Override
    public void close() {
        heartbeats.values().forEach(heartbeat -> heartbeat.cancel(false));
        heartbeats.clear();
        scheduler.shutdown(); // lets its thread end once the cancelled ticks are gone
    }
}
