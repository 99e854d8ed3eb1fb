package leakalert;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.SynchronousQueue;
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

    public AlertService(AlertGateway gateway) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * Delivers {@code alert} through the gateway, waiting at most {@code timeout} for the receipt.
     *
     * @return the gateway's receipt, or empty if it did not answer in time
     */
    public Optional<Receipt> send(Alert alert, Duration timeout) throws InterruptedException {
        SynchronousQueue<Receipt> receipts = new SynchronousQueue<>();

        Thread worker = Thread.ofVirtual().name("alert-worker-" + alert.id()).start(() -> {
            try {
                Receipt receipt = gateway.deliver(alert); // interruptible: cancelled when the caller gives up
                receipts.put(receipt);                    // interruptible: abandoned when nobody takes it
            } catch (InterruptedException e) {
                // The caller gave up on this alert: there is nobody to hand a receipt to, so end.
            }
        });

        Receipt receipt = receipts.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (receipt == null) {
            worker.interrupt(); // timed out: cancel the gateway call
        }
        return Optional.ofNullable(receipt);
    }
}
