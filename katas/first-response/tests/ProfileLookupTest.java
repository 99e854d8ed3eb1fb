package firstresponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Pitfalls;
import firstresponse.ProfileLookup.Profile;
import firstresponse.ProfileLookup.Replica;
import firstresponse.ProfileLookup.ReplicaUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests for the first-response kata. Replica doubles answer at once, fail at once, answer
 * only once another replica has failed, or hang until their call is interrupted, the way a call
 * to a stuck zone hangs until it is cancelled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProfileLookupTest {

    /** The timeout given to fetch() when some replica should answer. */
    private static final Duration GENEROUS = Duration.ofSeconds(1);
    /** How late after its timeout fetch() may return before it counts as not returning. */
    private static final long RETURN_SLACK_MS = 750;
    /** How long a losing call may take to be cancelled and end once fetch() has returned. */
    private static final long LOSER_END_MS = 500;

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void theLosingCallIsCancelledOnceTheFirstAnswerIsIn() throws Exception {
        for (boolean primaryHangs : new boolean[] {false, true}) {
            ScriptedReplica fast = ScriptedReplica.answering(primaryHangs ? "zone-b" : "zone-a");
            ScriptedReplica stuck = ScriptedReplica.hanging(primaryHangs ? "zone-a" : "zone-b");
            List<Replica> replicas = primaryHangs ? List.of(stuck, fast) : List.of(fast, stuck);
            ProfileLookup lookup = new ProfileLookup(replicas);

            Profile profile = fetchOnTime(lookup, "u-1001", GENEROUS);
            assertEquals(fast.profileFor("u-1001"), profile,
                    "fetch() must return the profile from the replica that answered (" + fast.zone + ")");

            long deadline = deadlineIn(LOSER_END_MS);
            if (!stuck.entered.await(LOSER_END_MS, TimeUnit.MILLISECONDS)) {
                continue; // the stuck replica was never called: nothing of it is left to cancel
            }
            Thread loser = stuck.caller;
            if (!stuck.interrupted.await(millisLeft(deadline), TimeUnit.MILLISECONDS)) {
                throw Pitfalls.leak("The lookup of u-1001 returned the profile from " + fast.zone
                        + ", the first answer, as it should. But the call to " + stuck.zone
                        + " is still running " + LOSER_END_MS + " ms later: nothing cancelled it. "
                        + "It is " + whereIs(loser) + ", waiting for a replica that will never "
                        + "answer, and holding a thread (and in real life a connection, and load on "
                        + "a zone already in trouble) for an answer nobody will read. Every lookup "
                        + "adds one more. Once the first answer is in, cancel the losers: interrupt "
                        + "their threads, or Future.cancel(true) on executor tasks (cancelling a "
                        + "CompletableFuture does not interrupt anything)." + cfNote(loser));
            }
            if (!endsBy(loser, deadline)) {
                throw Pitfalls.leak("The call to " + stuck.zone + " was cancelled after the lookup "
                        + "had its answer, but the thread that ran it did not end: it is "
                        + whereIs(loser) + "." + poolNote(loser));
            }
        }
    }

    @Test
    @Order(2)
    void aReplicaThatFailsFastDoesNotBeatOneThatAnswers() throws Exception {
        ScriptedReplica broken = ScriptedReplica.failing("zone-a");
        ScriptedReplica slower = ScriptedReplica.answeringAfterFailureOf("zone-b", broken);
        ProfileLookup lookup = new ProfileLookup(List.of(broken, slower));

        Profile profile;
        try {
            profile = fetchOnTime(lookup, "u-2002", GENEROUS);
        } catch (ReplicaUnavailableException e) {
            throw new AssertionError("zone-a failed at once (" + broken.failure.getMessage() + "), "
                    + "but zone-b answered a moment later, well within the timeout, and fetch() "
                    + "threw " + describe(e) + " instead of returning zone-b's profile. A hedged "
                    + "request takes the first *answer*: a failure only means waiting for the other "
                    + "replicas. Only when every replica has failed is the lookup a failure.", e);
        }
        assertEquals(slower.profileFor("u-2002"), profile,
                "fetch() must return the profile from zone-b, the only replica that answered");
    }

    @Test
    @Order(3)
    void whenEveryReplicaFailsTheLookupFails() throws Exception {
        ScriptedReplica a = ScriptedReplica.failing("zone-a");
        ScriptedReplica b = ScriptedReplica.failing("zone-b");
        ProfileLookup lookup = new ProfileLookup(List.of(a, b));
        try {
            Profile profile = fetchOnTime(lookup, "u-3003", GENEROUS);
            fail("both replicas failed, yet fetch() returned " + profile);
        } catch (ReplicaUnavailableException expected) {
            // every replica failed: so does the lookup
        }
    }

    @Test
    @Order(4)
    void whenNoReplicaAnswersInTimeEveryCallIsCancelled() throws Exception {
        ScriptedReplica a = ScriptedReplica.hanging("zone-a");
        ScriptedReplica b = ScriptedReplica.hanging("zone-b");
        ProfileLookup lookup = new ProfileLookup(List.of(a, b));
        Duration timeout = Duration.ofMillis(100);
        try {
            Profile profile = fetchOnTime(lookup, "u-4004", timeout);
            fail("no replica answered, yet fetch() returned " + profile);
        } catch (ReplicaUnavailableException expected) {
            // the lookup gave up on time
        }
        long deadline = deadlineIn(LOSER_END_MS);
        for (ScriptedReplica stuck : List.of(a, b)) {
            if (!stuck.entered.await(millisLeft(deadline), TimeUnit.MILLISECONDS)) {
                continue;
            }
            Thread call = stuck.caller;
            if (!stuck.interrupted.await(millisLeft(deadline), TimeUnit.MILLISECONDS)) {
                throw Pitfalls.leak("Neither replica answered, and fetch() gave up after "
                        + timeout.toMillis() + " ms, as it should. But the call to " + stuck.zone
                        + " is still running " + LOSER_END_MS + " ms later: it is " + whereIs(call)
                        + ". Giving up must cancel the calls too, not only stop waiting for them: "
                        + "cancel them whatever way the lookup ends (answer, failure or timeout), "
                        + "in a finally block." + cfNote(call));
            }
            if (!endsBy(call, deadline)) {
                throw Pitfalls.leak("fetch() gave up after " + timeout.toMillis() + " ms and the call "
                        + "to " + stuck.zone + " was cancelled, but the thread that ran it did not "
                        + "end: it is " + whereIs(call) + "." + poolNote(call));
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Calls fetch() on a thread of its own and waits for it a little longer than its timeout, so
     * that a fetch() that waits for every call to end fails here, with a message, instead of hanging.
     */
    private static Profile fetchOnTime(ProfileLookup lookup, String userId, Duration timeout)
            throws ReplicaUnavailableException, InterruptedException {
        CompletableFuture<Profile> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().name("test-lookup-" + userId).start(() -> {
            try {
                outcome.complete(lookup.fetch(userId, timeout));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        long limit = timeout.toMillis() + RETURN_SLACK_MS;
        try {
            Profile profile = outcome.get(limit, TimeUnit.MILLISECONDS);
            if (profile == null) {
                fail("fetch(" + userId + ") returned null instead of a profile");
            }
            return profile;
        } catch (TimeoutException e) {
            throw Pitfalls.timeout("fetch(" + userId + ", " + timeout.toMillis() + " ms) had not "
                    + "returned after " + limit + " ms: the caller is " + whereIs(caller) + ". A "
                    + "lookup with a timeout must return on time even if no replica ever answers: "
                    + "wait for the first answer with a limit.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ReplicaUnavailableException r) {
                throw r;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new AssertionError("fetch(" + userId + ") threw " + describe(cause), cause);
        }
    }

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static long millisLeft(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static boolean endsBy(Thread thread, long deadline) throws InterruptedException {
        long left = millisLeft(deadline);
        if (left > 0) {
            thread.join(Duration.ofMillis(left));
        }
        return !thread.isAlive();
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " \"" + t.getMessage() + "\"");
    }

    /** Where a thread is, in the learner's terms: which call, at which line of their file. */
    static String whereIs(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        String state = thread.getState().toString();
        for (int i = 0; i < stack.length; i++) {
            StackTraceElement at = stack[i];
            if (at.getClassName().startsWith("firstresponse.ProfileLookup") && at.getFileName() != null
                    && !at.getClassName().contains("Test")) {
                String what;
                if (i == 0) {
                    what = "running";
                } else if (stack[i - 1].getClassName().contains("ProfileLookupTest")) {
                    what = "inside the replica call";
                } else {
                    String cls = stack[i - 1].getClassName();
                    what = "in " + cls.substring(cls.lastIndexOf('.') + 1) + "." + stack[i - 1].getMethodName();
                }
                return what + " (" + state + ") at " + at.getFileName() + ":" + at.getLineNumber();
            }
        }
        for (StackTraceElement at : stack) {
            if (at.getClassName().contains("ProfileLookupTest$ScriptedReplica")) {
                return "inside the replica call (" + state + ")";
            }
            if (at.getMethodName().equals("getTask") && at.getClassName().endsWith("ThreadPoolExecutor")) {
                return "idle in a thread pool (" + state + "), waiting for its next task";
            }
        }
        return "in state " + state;
    }

    /** If the thread is an idle worker of a thread pool, say that the pool was never shut down. */
    private static String poolNote(Thread thread) {
        for (StackTraceElement f : thread.getStackTrace()) {
            if (f.getMethodName().equals("getTask") && f.getClassName().endsWith("ThreadPoolExecutor")) {
                return " The pool was never shut down, so its idle workers wait forever for tasks "
                        + "that will never come. An executor made for one lookup must be closed when "
                        + "the lookup ends (try-with-resources).";
            }
        }
        return "";
    }

    /** If the loser runs inside a CompletableFuture task, say why cancelling that did not help. */
    private static String cfNote(Thread thread) {
        for (StackTraceElement f : thread.getStackTrace()) {
            if (f.getClassName().startsWith("java.util.concurrent.CompletableFuture")) {
                return " (This call runs as a CompletableFuture task: CompletableFuture.cancel(true) "
                        + "only marks the future as cancelled; it never interrupts the thread running it.)";
            }
        }
        return "";
    }

    // ------------------------------------------------------------------ the replica double

    enum Mode { ANSWER, FAIL, HANG, ANSWER_AFTER_FAILURE }

    /** A replica whose behaviour the test sets; it records the call made to it. */
    static final class ScriptedReplica implements Replica {
        final String zone;
        final Mode mode;
        final ScriptedReplica after;
        final IOException failure;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch failed = new CountDownLatch(1);
        private final CountDownLatch never = new CountDownLatch(1);
        volatile Thread caller;

        private ScriptedReplica(String zone, Mode mode, ScriptedReplica after) {
            this.zone = zone;
            this.mode = mode;
            this.after = after;
            this.failure = new IOException("replica in " + zone + " is down for maintenance");
        }

        static ScriptedReplica answering(String zone) {
            return new ScriptedReplica(zone, Mode.ANSWER, null);
        }

        static ScriptedReplica failing(String zone) {
            return new ScriptedReplica(zone, Mode.FAIL, null);
        }

        /** Never answers: waits until its call is interrupted, as a call to a stuck zone would. */
        static ScriptedReplica hanging(String zone) {
            return new ScriptedReplica(zone, Mode.HANG, null);
        }

        /** Answers only once {@code other} has failed and the caller has had a moment to see it. */
        static ScriptedReplica answeringAfterFailureOf(String zone, ScriptedReplica other) {
            return new ScriptedReplica(zone, Mode.ANSWER_AFTER_FAILURE, other);
        }

        Profile profileFor(String userId) {
            return new Profile(userId, "User " + userId, zone);
        }

        @Override
        public String zone() {
            return zone;
        }

        @Override
        public Profile fetch(String userId) throws IOException, InterruptedException {
            caller = Thread.currentThread();
            entered.countDown();
            switch (mode) {
                case ANSWER -> { }
                case FAIL -> {
                    failed.countDown();
                    throw failure;
                }
                case HANG -> {
                    try {
                        never.await(); // nobody counts this down: only an interrupt ends the call
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                }
                case ANSWER_AFTER_FAILURE -> {
                    try {
                        awaitFailureSeen(after);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                }
            }
            return profileFor(userId);
        }

        /**
         * Waits until the other replica has failed and the thread that called it has ended or
         * gone quiet: whatever the lookup does with a failure, it has done it by then.
         */
        private static void awaitFailureSeen(ScriptedReplica other) throws InterruptedException {
            long deadline = deadlineIn(1000);
            if (!other.failed.await(1000, TimeUnit.MILLISECONDS)) {
                return;
            }
            Thread thread = other.caller;
            long stillSince = 0;
            while (System.nanoTime() < deadline && thread != null && thread != Thread.currentThread()) {
                Thread.State state = thread.getState();
                if (state == Thread.State.TERMINATED) {
                    break;
                }
                if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                    if (stillSince == 0) {
                        stillSince = System.nanoTime();
                    } else if (System.nanoTime() - stillSince > TimeUnit.MILLISECONDS.toNanos(5)) {
                        break;
                    }
                } else {
                    stillSince = 0;
                }
                Thread.sleep(0, 200_000);
            }
        }
    }
}
