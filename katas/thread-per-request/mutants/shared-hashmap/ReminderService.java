package threadperrequest;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        // Each reminder writes its own patient's confirmation into one shared map as it arrives.
        Map<String, String> received = new HashMap<>();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String id : patientIds) {
                workers.submit(() -> received.put(id, gateway.send(id)));
            }
        } // close() waits until every submitted reminder has been sent
        Map<String, String> confirmations = new LinkedHashMap<>();
        for (String id : patientIds) {
            String confirmation = received.get(id);
            if (confirmation == null) {
                throw new IllegalStateException("no confirmation for patient " + id);
            }
            confirmations.put(id, confirmation);
        }
        return confirmations;
    }

    private static String confirmation(String patientId, Future<String> sent) {
        if (sent.state() != Future.State.SUCCESS) {
            throw new IllegalStateException("no confirmation for patient " + patientId, sent.exceptionNow());
        }
        return sent.resultNow();
    }
}
