package dev.kata.probe;

import dev.kata.probe.Interleaving.Kind;
import dev.kata.probe.Interleaving.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lock cycle of a model-checked deadlock, told from its interleaving: for each stuck thread,
 * the locks it took (by the object they belong to, {@code accounts["bob"].lock}, see
 * {@link LockNames}, and where) and the one it waits for, its last step. In the checker's sequentially consistent world a thread
 * whose last step is a lock call and that never finished is waiting there.
 */
final class ModelCheckedDeadlock {
    private ModelCheckedDeadlock() {
    }

    /** One thread of the cycle. */
    record Link(String thread, List<String> holds, String waitsFor) {
        Map<String, Object> toJson() {
            Map<String, Object> m = Json.object();
            m.put("thread", thread);
            m.put("holds", holds);
            m.put("waitsFor", waitsFor);
            return m;
        }
    }

    /** The cycle, or empty if the interleaving does not show one. */
    static List<Link> cycle(Interleaving interleaving, LearnerSources sources) {
        if (interleaving == null) {
            return List.of();
        }
        LockNames names = LockNames.of(interleaving, sources);
        Map<Integer, List<Step>> locks = new LinkedHashMap<>();
        Map<Integer, Step> last = new LinkedHashMap<>();
        for (Step s : interleaving.steps()) {
            if (s.kind() == Kind.SWITCH || s.kind() == Kind.CALL) {
                continue;
            }
            last.put(s.thread(), s);
            if (isLockCall(s.action())) {
                locks.computeIfAbsent(s.thread(), t -> new ArrayList<>()).add(s);
            }
        }
        List<Link> cycle = new ArrayList<>();
        for (Map.Entry<Integer, List<Step>> e : locks.entrySet()) {
            List<Step> taken = e.getValue();
            Step waiting = taken.get(taken.size() - 1);
            if (last.get(e.getKey()) != waiting || taken.size() < 2) {
                continue;
            }
            List<String> holds = new ArrayList<>();
            for (Step s : taken.subList(0, taken.size() - 1)) {
                holds.add(names.name(s, lockName(s.action())) + " (taken at " + s.location() + ")");
            }
            String name = interleaving.threads().get(e.getKey());
            cycle.add(new Link(name, holds, names.name(waiting, lockName(waiting.action())) + " (at " + waiting.location() + ")"));
        }
        return cycle.size() >= 2 ? cycle : List.of();
    }

    /** {@code thread 1 holds accounts["alice"].lock (taken at Ledger.java:73) and waits for accounts["bob"].lock (at Ledger.java:80)}; ... */
    static String describe(List<Link> cycle) {
        StringBuilder s = new StringBuilder("the threads wait for each other's locks, in a cycle: ");
        for (int i = 0; i < cycle.size(); i++) {
            Link link = cycle.get(i);
            if (i > 0) {
                s.append("; ");
            }
            s.append(link.thread()).append(" holds ").append(String.join(" and ", link.holds()))
                    .append(" and waits for ").append(link.waitsFor());
        }
        s.append(". Each lock it waits for is held by another thread of the cycle, which waits in turn:"
                + " none can go on.");
        return s.toString();
    }

    private static boolean isLockCall(String action) {
        return action.contains(".lock()") || action.contains(".lockInterruptibly()") || action.startsWith("MONITORENTER")
                || action.startsWith("synchronized");
    }

    /** {@code source.lock.lock()} names the lock {@code source.lock}. */
    private static String lockName(String action) {
        int call = action.lastIndexOf(".lock");
        return call > 0 ? action.substring(0, call) : action;
    }
}
