package threadperrequest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nightly dose-reminder job of a clinical trial: one text message per enrolled patient,
 * sent through an SMS gateway whose API blocks until the message is accepted.
 */
public final class ReminderService {

    /** Sends one reminder and blocks until the gateway confirms it. */
    public interface SmsGateway {
        /** Returns the gateway's confirmation id for this patient's reminder. */
        String send(String patientId) throws InterruptedException;
    }

    private final SmsGateway gateway;

    public ReminderService(SmsGateway gateway) {
        this.gateway = gateway;
    }

    /**
     * Sends a reminder to every patient and returns, once all of them are confirmed, each
     * patient's confirmation id (in the order of {@code patientIds}).
     */
    public Map<String, String> remindAll(List<String> patientIds) throws InterruptedException {
        // Virtual threads are cheap: start one per reminder and let them run.
        Map<String, String> confirmations = new ConcurrentHashMap<>();
        for (String id : patientIds) {
            Thread.startVirtualThread(() -> {
                try {
                    confirmations.put(id, gateway.send(id));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        return confirmations;
    }
}
