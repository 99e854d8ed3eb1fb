package leakalert;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Pages the on-call study team when the trial monitoring finds something wrong with a
 * participant (a lab value out of range, a missed dose), through a third-party messaging
 * gateway.
 *
 * <p>The gateway is slow at peak hours, so a caller never waits longer than its own timeout:
 * if no receipt has come back by then, {@link #send} returns empty and the caller's retry
 * queue takes the alert again later.
 */
public final class AlertService {

    /** One alert about one trial participant. */
    public record Alert(String id, String patientId, String message) {
    }

    /** The gateway's proof that the alert was delivered. */
    public record Receipt(String alertId, String messageId) {
    }

    /** The third-party messaging API. Slow at times; a call can be interrupted. */
    public interface AlertGateway {
        Receipt deliver(Alert alert) throws InterruptedException;
    }

    private final AlertGateway gateway;
    /** Reuses idle worker threads across sends instead of starting one per alert. */
    private final ExecutorService workers = Executors.newCachedThreadPool();

    public AlertService(AlertGateway gateway) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * Delivers {@code alert} through the gateway, waiting at most {@code timeout} for the receipt.
     *
     * @return the gateway's receipt, or empty if it did not answer in time
     */
    public Optional<Receipt> send(Alert alert, Duration timeout) throws InterruptedException {
        Future<Receipt> delivery = workers.submit(() -> gateway.deliver(alert));
        try {
            return Optional.ofNullable(delivery.get(nanos(timeout), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty(); // the gateway failed: the retry queue takes the alert again
        } finally {
            delivery.cancel(true); // interrupts a gateway call still in progress; no-op when done
        }
    }

    /** The timeout in nanoseconds, saturated: a timeout too long for a long means "no limit". */
    private static long nanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }
}
