package dev.kata.probe;

import dev.kata.probe.api.InjectedFault;
import dev.kata.probe.api.Reason;
import dev.kata.probe.noise.Collisions;
import dev.kata.probe.noise.Collisions.Collision;
import dev.kata.probe.races.OpaqueTypes;
import dev.kata.probe.races.Races;
import dev.kata.probe.races.Races.Race;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Wraps every hidden test (registered through JUnit's extension auto-detection, only inside the
 * test JVM): notes the threads alive before it, and afterwards fails it for threads that died
 * with an exception or are still running. When told to stop at the first failure, it skips the
 * tests after a failed one.
 */
public final class ProbeExtension implements ExecutionCondition, BeforeEachCallback, AfterEachCallback {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isPresent() && context.getTestClass()
                .map(c -> Probe.notModelChecked.contains(ThreadDescriber.topLevel(c.getName()))).orElse(false)) {
            return ConditionEvaluationResult.disabled(Probe.notModelCheckedWhy);
        }
        return Probe.stopAtFirstFailure && Probe.failedOnce && context.getTestMethod().isPresent()
                ? ConditionEvaluationResult.disabled("an earlier test failed")
                : ConditionEvaluationResult.enabled("");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        TestRun run = Probe.current;
        if (run == null) {
            return;
        }
        run.testThread = Thread.currentThread();
        run.timeoutMs = timeoutOf(context.getTestMethod().orElse(null), Probe.defaultTimeoutMs);
        Set<Long> baseline = new HashSet<>();
        for (Thread t : ThreadCensus.liveThreads()) {
            baseline.add(t.threadId());
        }
        run.baseline = baseline;
        run.openFiles = OpenFiles.snapshot();
        run.collisions = Collisions.mark();
        run.races = Races.mark();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestRun run = Probe.current;
        if (run == null) {
            return;
        }
        run.phase = TestRun.Phase.CHECKING;
        List<TestRun.Uncaught> died = run.uncaught().stream()
                .filter(u -> u.thread() != run.testThread
                        && Causes.of(u.error()).stream().noneMatch(InjectedFault.class::isInstance))
                .toList();
        if (!died.isEmpty()) {
            TestRun.Uncaught first = died.get(0);
            String location = FailureClassifier.learnerLocation(first.error(), Probe.describer);
            throw new DetectedFailure(Reason.WORKER_EXCEPTION,
                    who(first.thread()) + " died with " + FailureClassifier.describe(first.error())
                            + (died.size() > 1 ? " (and " + (died.size() - 1) + " more threads died)" : ""),
                    location, List.of());
        }
        Collision collision = Collisions.firstSince(run.collisions);
        if (collision != null) {
            // A map changed by two threads at once may have lost an entry or broken a bucket: whatever the
            // test then saw (or did not), this is the cause to show.
            throw new DetectedFailure(Reason.RACE, "two threads were inside " + collision.collection()
                    + (collision.madeAt() == null ? "" : " (made at " + collision.madeAt() + ")") + " at the same time,"
                    + " at least one of them changing it: " + collision.first() + ", and " + collision.second()
                    + ". A HashMap is not safe for threads: guard every use of it with one lock, or use a"
                    + " ConcurrentHashMap.", collision.location(), List.of());
        }
        List<Race> races = Races.since(run.races);
        if (!races.isEmpty()) {
            Map<String, Object> evidence = Json.object();
            evidence.put("kind", "race-detector");
            throw new DetectedFailure(Reason.RACE, describe(races), races.get(0).at(), List.of(), evidence);
        }
        if (context.getExecutionException().isEmpty()) {
            LeakCheck.verify(run);
            OpenFiles.verify(run.openFiles);
        } else {
            run.leftRunning = LeakCheck.leftRunning(run);
            run.leakedFileLine = OpenFiles.learnerLineOfLeak(run.openFiles);
        }
    }

    /** Data races in the learner's fields, said as what was seen: the first in full, then the other fields. */
    static String describe(List<Race> races) {
        String first = describe(races.get(0));
        if (races.size() == 1) {
            return first;
        }
        List<String> others = races.subList(1, Math.min(races.size(), 4)).stream()
                .map(r -> (r.onCollection() ? article(r.field()) + " " : "") + r.field() + " (" + r.access() + " in "
                        + method(r.method()) + " at " + r.at() + ")").toList();
        return first + " Also unordered: " + String.join(", ", others) + ".";
    }

    private static String describe(Race race) {
        if (race.onCollection()) {
            return describeOnCollection(race);
        }
        if (race.onArray()) {
            return describeOnArray(race);
        }
        String field = race.field();
        String writer = race.otherThread() + " wrote it in " + method(race.otherMethod()) + " at " + race.otherAt();
        String unordered = ", and nothing ordered that write before this " + race.access().replace("wrote", "write")
                + ": " + NOTHING_ORDERS + opaqueNote(OpaqueTypes.fromSystemProperty());
        if (race.access().equals("read")) {
            return field + " was read by " + race.thread() + " in " + method(race.method()) + " at " + race.at() + "; "
                    + writer + unordered + " The Java memory model then does not promise that the reader ever sees"
                    + " the write (compiled code may keep using a value it read before). Make " + field
                    + " volatile (or atomic), or guard every use of it with one lock.";
        }
        return field + " was written by " + race.thread() + " in " + method(race.method()) + " at " + race.at() + "; "
                + writer + " too" + unordered + " One write can overwrite the other unseen: guard every use of "
                + field + " with one lock, or make it atomic.";
    }

    private static final String NOTHING_ORDERS =
            "no lock taken by both threads, no volatile field, no hand-off through java.util.concurrent.";

    /** A race inside one of the JDK's collections that are not safe for threads (a HashMap, an ArrayList...). */
    private static String describeOnCollection(Race race) {
        String type = race.field();
        String theType = article(type) + " " + type;
        String what = race.access().equals("read") ? "read (" + race.call() + ")" : "changed (" + race.call() + ")";
        return capitalised(theType) + " was " + what + " by " + race.thread() + " in " + method(race.method())
                + " at " + race.at() + "; " + race.otherThread() + " changed it (" + race.otherCall() + ") in "
                + method(race.otherMethod()) + " at " + race.otherAt() + ", and nothing ordered that change before"
                + " this " + (race.access().equals("read") ? "read" : "one") + ": " + NOTHING_ORDERS
                + opaqueNote(OpaqueTypes.fromSystemProperty()) + " " + capitalised(theType) + " is not safe for"
                + " threads: used by two at once, it can lose entries, hand back stale ones or corrupt itself. Use a"
                + " concurrent collection (ConcurrentHashMap, say), or guard every use of it with one lock.";
    }

    /** A race on an array's element: an element is a plain variable, whatever holds the array. */
    private static String describeOnArray(Race race) {
        String element = capitalised(race.field());
        String access = race.access().equals("read") ? "read" : "written";
        return element + " was " + access + " by " + race.thread() + " in " + method(race.method()) + " at " + race.at()
                + "; " + race.otherThread() + " wrote it in " + method(race.otherMethod()) + " at " + race.otherAt()
                + (race.access().equals("read") ? "" : " too") + ", and nothing ordered that write before this "
                + (race.access().equals("read") ? "read" : "one") + ": " + NOTHING_ORDERS
                + opaqueNote(OpaqueTypes.fromSystemProperty()) + " An array's elements are plain variables, even"
                + " when the field holding the array is final or volatile: "
                + (race.access().equals("read") ? "the reader may never see the write. " : "one write can overwrite"
                + " the other unseen. ") + "Use an atomic array (AtomicLongArray, AtomicIntegerArray,"
                + " AtomicReferenceArray) or atomic fields, or guard every use of the array with one lock.";
    }

    private static String capitalised(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** "an" before a class name that starts with a vowel (an ArrayList), else "a". */
    static String article(String noun) {
        return !noun.isEmpty() && "AEIOU".indexOf(noun.charAt(0)) >= 0 ? "an" : "a";
    }

    /**
     * A method as the learner wrote it: {@code stop()}, or {@code a lambda in importAll()} (in the
     * words render's VerdictText uses for a lambda's stack frame, for one in a constructor or a
     * static initialiser too).
     */
    static String method(String name) {
        if (name.startsWith("lambda$")) {
            String[] parts = name.split("\\$");
            String in = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : "?";
            return "a lambda in " + switch (in) {
                case "new" -> "the constructor";
                case "static" -> "the static initializer";
                default -> in + "()";
            };
        }
        return name + "()";
    }

    private static String opaqueNote(OpaqueTypes opaque) {
        return opaque.isEmpty() ? "" : " Calls to " + opaque.sourceNames()
                + " do not count: the task promises no ordering through them.";
    }

    private static long timeoutOf(Method method, long fallback) {
        if (method == null) {
            return fallback;
        }
        Timeout timeout = method.getAnnotation(Timeout.class);
        if (timeout == null) {
            timeout = method.getDeclaringClass().getAnnotation(Timeout.class);
        }
        return timeout == null ? fallback : TimeUnit.MILLISECONDS.convert(timeout.value(), timeout.unit());
    }

    /** "thread "worker-1"", or, for a thread without a name, what it is ("an unnamed virtual thread (#31)"). */
    private static String who(Thread thread) {
        return (thread.getName().isEmpty() ? "" : "thread ") + ThreadLabel.of(thread);
    }
}
