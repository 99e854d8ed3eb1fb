package leakalert;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

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

    public AlertService(AlertGateway gateway) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * Delivers {@code alert} through the gateway, waiting at most {@code timeout} for the receipt.
     *
     * <p>No hand-over at all: the worker just stores its receipt, the caller waits for the
     * worker to finish (at most {@code timeout}) and then stops it if it is still running.
     *
     * @return the gateway's receipt, or empty if it did not answer in time
     */
    public Optional<Receipt> send(Alert alert, Duration timeout) throws InterruptedException {
        AtomicReference<Receipt> result = new AtomicReference<>();

        Thread worker = Thread.ofVirtual().name("alert-worker-" + alert.id()).start(() -> {
            try {
                result.set(gateway.deliver(alert));
            } catch (InterruptedException e) {
                // the caller gave up: stop here
            }
        });

        try {
            worker.join(timeout.toMillis());
            return Optional.ofNullable(result.get());
        } finally {
            worker.interrupt(); // no-op if it finished; cancels a gateway call still running
        }
    }
}
