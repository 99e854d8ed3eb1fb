package threadperrequest;

import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * A gateway call takes about 40 ms; one that has not answered after five times that is stuck,
     * and must not hold up the evening batch (it has a two-second slot).
     */
    private static final Duration SEND_TIMEOUT = Duration.ofMillis(200);

    private final SmsGateway gateway;

    public ReminderService(SmsGateway gateway) {
        this.gateway = gateway;
    }

    /**
     * Sends a reminder to every patient and returns, once all of them are confirmed, each
     * patient's confirmation id (in the order of {@code patientIds}).
     */
    public Map<String, String> remindAll(List<String> patientIds) throws InterruptedException {
        Map<String, String> sent = new ConcurrentHashMap<>();
        List<Thread> senders = new ArrayList<>(patientIds.size());
        // One virtual thread per patient, like a goroutine: they all wait on the gateway together.
        for (String id : patientIds) {
            senders.add(Thread.ofVirtual().name("reminder-" + id).start(() -> {
                try {
                    sent.put(id, gateway.send(id));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread sender : senders) {
            sender.join(SEND_TIMEOUT); // don't let one stuck reminder hold the whole batch
        }
        Map<String, String> confirmations = new LinkedHashMap<>();
        for (String id : patientIds) {
            String confirmation = sent.get(id);
            if (confirmation != null) {
                confirmations.put(id, confirmation);
            } else {
                System.err.println("no confirmation for patient " + id + " in time");
            }
        }
        return confirmations;
    }
}
