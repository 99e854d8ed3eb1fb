package threadperrequest;

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

    /** Threads are expensive, so the job shares a small pool of workers. */
    private static final int WORKERS = 8;

    private final SmsGateway gateway;

    public ReminderService(SmsGateway gateway) {
        this.gateway = gateway;
    }

    /**
     * Sends a reminder to every patient and returns, once all of them are confirmed, each
     * patient's confirmation id, by patient id (in any order).
     */
    public Map<String, String> remindAll(List<String> patientIds) throws InterruptedException {
        Map<String, Future<String>> pending = new LinkedHashMap<>();
        try (ExecutorService workers = Executors.newFixedThreadPool(WORKERS)) {
            for (String id : patientIds) {
                pending.put(id, workers.submit(() -> gateway.send(id)));
            }
        } // close() waits until every submitted reminder has been sent
        Map<String, String> confirmations = new LinkedHashMap<>();
        for (Map.Entry<String, Future<String>> e : pending.entrySet()) {
            confirmations.put(e.getKey(), confirmation(e.getKey(), e.getValue()));
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
