package threadperrequest;

import java.util.LinkedHashMap;
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
        // Let the stream framework spread the calls over the cores.
        Map<String, String> confirmations = new ConcurrentHashMap<>();
        patientIds.parallelStream().forEach(id -> {
            try {
                confirmations.put(id, gateway.send(id));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reminding patient " + id, e);
            }
        });
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String id : patientIds) {
            ordered.put(id, confirmations.get(id));
        }
        return ordered;
    }
}
