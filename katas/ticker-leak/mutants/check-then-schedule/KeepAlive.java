package tickerleak;

import java.time.Duration;
import java.util.Map;
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
        if (heartbeats.containsKey(sessionId)) {
            return; // a reconnect: the session already has its heartbeat
        }
        long period = every.toNanos();
        ScheduledFuture<?> heartbeat = scheduler.scheduleAtFixedRate(
                () -> pinger.ping(sessionId), period, period, TimeUnit.NANOSECONDS);
        heartbeats.put(sessionId, heartbeat);
    }

    /** The session has ended: it needs no more pings. */
    public void end(String sessionId) {
        ScheduledFuture<?> heartbeat = heartbeats.remove(sessionId);
        if (heartbeat != null) {
            heartbeat.cancel(false); // the Java form of ticker.Stop()
        }
    }

    /** Shuts the keep-alive down: no session is pinged any more. */
    @Override
    public void close() {
        heartbeats.values().forEach(heartbeat -> heartbeat.cancel(false));
        heartbeats.clear();
        scheduler.shutdown(); // lets its thread end once the cancelled ticks are gone
    }
}
