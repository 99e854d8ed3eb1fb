package leakalert;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Pages the on-call study team through a third-party messaging gateway. */
public final class AlertService {

    public record Alert(String id, String patientId, String message) {
    }

    public record Receipt(String alertId, String messageId) {
    }

    public interface AlertGateway {
        Receipt deliver(Alert alert) throws InterruptedException;
    }

    private final AlertGateway gateway;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    public AlertService(AlertGateway gateway) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    public Optional<Receipt> send(Alert alert, Duration timeout) throws InterruptedException {
        Future<Receipt> delivery = workers.submit(() -> gateway.deliver(alert));
        try {
            return Optional.of(delivery.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            workers.shutdownNow(); // gave up: stop the worker
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }
}
