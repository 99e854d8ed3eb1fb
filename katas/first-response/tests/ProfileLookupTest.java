package firstresponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kata.probe.api.Patience;
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
import org.junit.jupiter.api.DisplayName;
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
        // Three replicas that fail at once, several times: the failures are counted at the same moment.
        // In even rounds zone-b breaks with an unchecked exception, and in the last one zone-c with an
        // Error: failures too.
        Duration timeout = Duration.ofSeconds(4);
        for (int round = 1; round <= 5; round++) {
            List<ScriptedReplica> replicas = List.of(ScriptedReplica.failing("zone-a"),
                    round % 2 == 0 ? ScriptedReplica.breaking("zone-b") : ScriptedReplica.failing("zone-b"),
                    round == 5 ? ScriptedReplica.crashing("zone-c") : ScriptedReplica.failing("zone-c"));
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(replicas.size());
            replicas.forEach(r -> r.together = together);
            ProfileLookup lookup = new ProfileLookup(List.copyOf(replicas));
            long start = System.nanoTime();
            try {
                Profile profile = fetchOnTime(lookup, "u-300" + round, timeout);
                fail("all three replicas failed, yet fetch() returned " + profile);
            } catch (ReplicaUnavailableException expected) {
                // every replica failed: so does the lookup
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (took > timeout.toMillis() / 2) {
                fail("all three replicas failed at once, but fetch(u-300" + round + ", " + timeout.toMillis()
                        + " ms) gave up only after " + took + " ms: once the last replica has failed, no answer can"
                        + " come, so the lookup fails then, without waiting for its timeout. If you count failures, count every one,"
                        + " even when several replicas fail at the same moment, whatever they throw ("
                        + (round % 2 == 0 ? "zone-b threw an unchecked IllegalStateException"
                        : round == 5 ? "zone-a and zone-b threw IOException, zone-c an AssertionError (an Error)"
                        : "all three threw IOException") + ").");
            }
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

    @Test
    @Order(7)
    @DisplayName("a call that does not stop when interrupted: fetch still gives up on time, without waiting for it")
    void aCallDeafToInterruptsDoesNotHoldUpTheTimeout() throws Exception {
        ScriptedReplica a = ScriptedReplica.hanging("zone-a");
        ScriptedReplica b = ScriptedReplica.deaf("zone-b");
        ProfileLookup lookup = new ProfileLookup(List.of(a, b));
        Duration timeout = Duration.ofMillis(100);
        try {
            Profile profile = fetchOnTime(lookup, "u-4007", timeout, "Neither replica answered, and the call to"
                    + " zone-b does not stop when interrupted (as a blocking client may not). ", "A lookup gives up on"
                    + " time whatever its calls do: it cancels them, and need not wait for them to end.");
            fail("no replica answered, yet fetch() returned " + profile);
        } catch (ReplicaUnavailableException expected) {
            // the lookup gave up on time
        } finally {
            b.release();
        }
        if (b.entered.getCount() == 0 && !b.interrupted.await(LOSER_END_MS, TimeUnit.MILLISECONDS)) {
            throw Pitfalls.leak("Neither replica answered, and fetch() gave up after " + timeout.toMillis() + " ms,"
                    + " as it should, but the call to zone-b was not cancelled (interrupted): giving up must cancel"
                    + " the calls too.");
        }
        for (ScriptedReplica r : List.of(a, b)) {
            Thread call = r.caller;
            if (call != null && !endsBy(call, deadlineIn(LOSER_END_MS))) {
                throw Pitfalls.leak("fetch() gave up after " + timeout.toMillis() + " ms; the call to " + r.zone
                        + " was cancelled (and zone-b's released), but the thread that ran it did not end: it is "
                        + whereIs(call) + "." + poolNote(call));
            }
        }
    }

    /**
     * Two lookups on one ProfileLookup: the first waits for replicas that hang (a long timeout), and the
     * second, started while the first is waiting, gets its answers at once. The second must not wait for
     * the first to end. The first is then ended by interrupting its caller.
     */
    @Test
    @Order(8)
    @DisplayName("a lookup waiting on one ProfileLookup does not hold up another lookup on it")
    void aLookupInProgressDoesNotHoldUpAnother() throws Exception {
        CountDownLatch slowCalled = new CountDownLatch(1);
        List<Replica> replicas = new java.util.ArrayList<>();
        for (String zone : List.of("zone-a", "zone-b")) {
            replicas.add(new Replica() {
                @Override
                public String zone() {
                    return zone;
                }

                @Override
                public Profile fetch(String userId) throws InterruptedException {
                    if (userId.equals("u-8001")) {
                        slowCalled.countDown();
                        new CountDownLatch(1).await(); // hangs until its call is cancelled
                    }
                    return new Profile(userId, "User " + userId, zone);
                }
            });
        }
        ProfileLookup lookup = new ProfileLookup(replicas);
        Duration slowTimeout = Duration.ofSeconds(30);
        CompletableFuture<Profile> slow = new CompletableFuture<>();
        Thread slowCaller = Thread.ofPlatform().name("test-lookup-u-8001").start(() -> {
            try {
                slow.complete(lookup.fetch("u-8001", slowTimeout));
            } catch (Throwable t) {
                slow.completeExceptionally(t);
            }
        });
        CompletableFuture<Profile> fast = new CompletableFuture<>();
        Thread fastCaller = null;
        try {
            // the first lookup is in progress: one of its calls is running (and will hang)
            slowCalled.await(Patience.millis(1000, 2000), TimeUnit.MILLISECONDS);
            long patience = Patience.millis(500, 1500);
            fastCaller = Thread.ofPlatform().name("test-lookup-u-8002").start(() -> {
                try {
                    fast.complete(lookup.fetch("u-8002", GENEROUS));
                } catch (Throwable t) {
                    fast.completeExceptionally(t);
                }
            });
            Profile profile;
            try {
                profile = fast.get(patience, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw Pitfalls.timeout("Two lookups on one ProfileLookup: fetch(u-8001, " + slowTimeout.toMillis()
                        + " ms) was waiting for replicas that hang, and fetch(u-8002, " + GENEROUS.toMillis()
                        + " ms), whose replicas answer at once, had not returned " + patience + " ms after it was"
                        + " called (u-8001 " + (slow.isDone() ? "had returned" : "was still waiting") + "): the"
                        + " caller of u-8002 is " + whereIs(fastCaller) + heldBy(fastCaller) + ". Several lookups"
                        + " run at once on one ProfileLookup: keep what belongs to a lookup (its calls, its count,"
                        + " its future) in that lookup's own locals, so that no lookup waits for another.");
            } catch (ExecutionException e) {
                throw new AssertionError("fetch(u-8002), whose replicas answer at once, threw "
                        + describe(e.getCause()) + " while a lookup of u-8001 on the same ProfileLookup was waiting"
                        + " for replicas that hang: one lookup must not decide another.", e.getCause());
            }
            if (profile == null || !profile.userId().equals("u-8002")) {
                fail("fetch(u-8002) returned " + profile + " instead of a profile of u-8002, while a lookup of"
                        + " u-8001 on the same ProfileLookup was waiting");
            }
        } finally {
            slowCaller.interrupt(); // ends the first lookup (it throws InterruptedException)
            slowCaller.join(LOSER_END_MS);
            if (fastCaller != null) {
                fastCaller.join(LOSER_END_MS);
            }
        }
    }

    /** If the thread is blocked on a lock, which thread holds it. */
    private static String heldBy(Thread thread) {
        java.lang.management.ThreadInfo info = java.lang.management.ManagementFactory.getThreadMXBean()
                .getThreadInfo(thread.threadId());
        if (info == null || info.getLockOwnerName() == null) {
            return "";
        }
        return ", waiting for a lock held by " + info.getLockOwnerName()
                + (info.getLockOwnerName().equals("test-lookup-u-8001") ? " (the caller of u-8001)" : "");
    }

    /**
     * zone-a fails with an IOException, then zone-b's own client throws InterruptedException although
     * nothing interrupted its call (a client whose pool was shut down may): a failure like any other, and
     * the last, so the lookup fails at once, long before its timeout.
     */
    @Test
    @Order(9)
    @DisplayName("an InterruptedException the lookup did not cause is a failure: the last one ends the lookup")
    void anInterruptedExceptionTheLookupDidNotCauseIsAFailure() throws Exception {
        ScriptedReplica a = ScriptedReplica.failing("zone-a");
        InterruptedException spurious = new InterruptedException("replica client for zone-b: its connection pool"
                + " was shut down");
        CountDownLatch bThrew = new CountDownLatch(1);
        Replica b = new Replica() {
            @Override
            public String zone() {
                return "zone-b";
            }

            @Override
            public Profile fetch(String userId) throws InterruptedException {
                a.failed.await(1, TimeUnit.SECONDS); // zone-a fails first: zone-b's failure is the last
                bThrew.countDown();
                throw spurious;
            }
        };
        ProfileLookup lookup = new ProfileLookup(List.of(a, b));
        Duration timeout = Duration.ofSeconds(30);
        CompletableFuture<Profile> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().name("test-lookup-u-9009").start(() -> {
            try {
                outcome.complete(lookup.fetch("u-9009", timeout));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        try {
            bThrew.await(Patience.millis(1000, 2000), TimeUnit.MILLISECONDS);
            long patience = Patience.millis(500, 1500);
            Throwable thrown;
            try {
                Profile profile = outcome.get(patience, TimeUnit.MILLISECONDS);
                fail("both replicas failed, yet fetch(u-9009) returned " + profile);
                return;
            } catch (ExecutionException e) {
                thrown = e.getCause();
            } catch (TimeoutException e) {
                throw Pitfalls.timeout("zone-a failed with IOException \"" + a.failure.getMessage() + "\", then"
                        + " zone-b's call threw InterruptedException \"" + spurious.getMessage() + "\" of its own:"
                        + " nothing had interrupted that call, and the lookup was not over. Every replica had"
                        + " failed, yet fetch(u-9009, " + timeout.toMillis() + " ms) had not returned " + patience
                        + " ms later: the caller is " + whereIs(caller) + ". A failure is anything a replica's call"
                        + " throws, an InterruptedException from a call the lookup has not cancelled too: once the"
                        + " last replica has failed, the lookup fails, without waiting for its timeout.");
            }
            if (!(thrown instanceof ReplicaUnavailableException)) {
                throw new AssertionError("zone-a failed with IOException and zone-b's call threw InterruptedException"
                        + " of its own (nothing had interrupted it): every replica had failed, and fetch(u-9009) threw "
                        + describe(thrown) + " instead of ReplicaUnavailableException.", thrown);
            }
            if (thrown.getCause() != a.failure && thrown.getCause() != spurious) {
                fail("zone-a failed with IOException and zone-b's call threw InterruptedException of its own, and"
                        + " fetch(u-9009) threw ReplicaUnavailableException, but its cause is " + thrown.getCause()
                        + ", which is neither of those failures itself. Give one of the replicas' own failures as"
                        + " the cause, as it was thrown.", thrown);
            }
        } finally {
            caller.interrupt(); // ends a lookup still waiting (it has returned already if all is well)
            caller.join(LOSER_END_MS);
        }
    }

    /**
     * Every clause on every path, drawn by a seeded generator: one or three lookups at once on one
     * shared ProfileLookup (reused round after round); one to three replicas, each answering at once or
     * a little later, failing at once (checked or unchecked) or late, or hanging until interrupted; the
     * caller interrupted while it waits; a deadline that must hold for the whole call even when a replica
     * fails midway. After every lookup: the right profile or exception, on time; every call still running
     * when fetch returned was interrupted, and every thread that ran a call has ended.
     */
    @Test
    @Order(5)
    void holdsEveryClauseOnGeneratedScenarios() throws Exception {
        long seed = Long.getLong("kata.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        int rounds = 9;
        for (int round = 0; round < rounds; round++) {
            int replicaCount = 1 + random.nextInt(3);
            if (round == 0) {
                replicaCount = 2;
            }
            // Rounds 4 and 6, and one other round in four: the first two replicas are in the same zone
            // (a zone is not a replica's identity).
            boolean sharedZone = round == 4 || round == 6 || replicaCount >= 2 && random.nextInt(4) == 0;
            if (sharedZone) {
                replicaCount = Math.max(2, replicaCount);
            }
            List<GenReplica> replicas = new java.util.ArrayList<>();
            for (int z = 0; z < replicaCount; z++) {
                String zone = "zone-" + (char) ('a' + (sharedZone && z == 1 ? 0 : z));
                replicas.add(new GenReplica(sharedZone && z == 1 ? "zone-a/2" : zone, zone));
            }
            ProfileLookup lookup = new ProfileLookup(List.<Replica>copyOf(replicas));
            int callers = round % 2 == 1 ? 3 : 1;
            List<GenLookup> lookups = new java.util.ArrayList<>();
            for (int c = 0; c < callers; c++) {
                // Round 0: one replica fails midway and the other hangs (one deadline for the whole call);
                // round 2: the caller is interrupted while it waits (also drawn at random elsewhere);
                // round 3: one of three lookups gets no answer in time; rounds 4 and 6: of two replicas in one
                // zone, one hangs; elsewhere no lookup waits its timeout.
                // Rounds 1 and 5: every replica of the second lookup fails with a CancellationException, or a
                // CompletionException, which a CompletableFuture takes as news of its own.
                String kind = round == 0 ? "deadline" : round == 2 ? "interrupt" : round == 3 && c == 0 ? "timeout"
                        : round == 4 ? "shared-zone-first-hangs" : round == 6 ? "shared-zone-second-hangs"
                        : (round == 1 || round == 5) && c == 1 ? "all-fail-unchecked" : "any";
                lookups.add(GenLookup.draw(random, "u-" + round + "-" + c, replicas, kind));
            }
            lookups.forEach(l -> l.shared = callers);
            String replay = "(seed " + seed + ", round " + round + ", " + replicaCount + " replicas"
                    + (sharedZone ? ", zone-a and zone-a/2 both in zone-a" : "") + ": " + lookups + ")";
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(callers);
            for (GenLookup l : lookups) {
                l.thread = Thread.ofPlatform().name("test-lookup-" + l.userId).start(() -> l.run(lookup, start));
            }
            for (GenLookup l : lookups) {
                if (l.interruptAfterMs >= 0) {
                    l.started.await(1, TimeUnit.SECONDS);
                    Thread.sleep(l.interruptAfterMs);
                    l.interruptedAt = System.nanoTime();
                    l.thread.interrupt();
                }
            }
            for (GenLookup l : lookups) {
                l.thread.join(l.limitMs() + 1_000);
                if (l.thread.isAlive()) {
                    String where = whereIs(l.thread);
                    lookups.forEach(x -> x.thread.interrupt());
                    throw Pitfalls.timeout("fetch(" + l.userId + ", " + l.timeout.toMillis() + " ms) had not returned "
                            + (l.limitMs() + 1_000) + " ms after it was called; the caller is " + where + ", in lookup "
                            + l + " " + replay + ". A lookup must return by its timeout whatever its replicas do.");
                }
            }
            for (GenLookup l : lookups) {
                l.verify(replay);
            }
        }
    }

    enum Act { ANSWER_NOW, ANSWER_SOON, FAIL_NOW, FAIL_UNCHECKED, FAIL_LATE, HANG }

    /** One replica shared by the lookups of a round; what it does depends on the user asked for. */
    static final class GenReplica implements Replica {
        /** This replica's own name in the test's books: unique, unlike the zone two replicas may share. */
        final String key;
        final String zone;
        final java.util.Map<String, GenLookup> lookups = new java.util.concurrent.ConcurrentHashMap<>();

        GenReplica(String key, String zone) {
            this.key = key;
            this.zone = zone;
        }

        @Override
        public String zone() {
            return zone;
        }

        @Override
        public Profile fetch(String userId) throws IOException, InterruptedException {
            GenLookup l = lookups.get(userId);
            Call call = new Call(Thread.currentThread());
            l.calls.put(key, call);
            Act act = l.acts.get(key);
            try {
                switch (act) {
                    case ANSWER_NOW, FAIL_NOW, FAIL_UNCHECKED -> { }
                    case ANSWER_SOON -> Thread.sleep(l.soonMs);
                    case FAIL_LATE -> Thread.sleep(l.failLateMs);
                    case HANG -> new CountDownLatch(1).await();
                }
            } catch (InterruptedException e) {
                call.interrupted = true;
                call.endedAt = System.nanoTime();
                throw e;
            }
            call.interrupted = Thread.currentThread().isInterrupted();
            call.endedAt = System.nanoTime();
            return switch (act) {
                case FAIL_NOW, FAIL_LATE -> throw l.failed(new IOException("replica " + key + " failed for " + userId));
                case FAIL_UNCHECKED -> throw l.failed(uncheckedFailure(key, userId,
                        userId.startsWith("u-1-") ? 1 : userId.startsWith("u-5-") ? 2 : (key + userId).hashCode()));
                // The key, not the zone: the profile tells the test which replica answered.
                default -> new Profile(userId, "User " + userId, key);
            };
        }
    }

    /**
     * An unchecked failure of a replica's call, of the kinds client libraries throw, some of which a
     * CompletableFuture treats as its own: a CancellationException from a client that cancels its
     * request, a CompletionException from one that joins a future of its own.
     */
    private static RuntimeException uncheckedFailure(String key, String userId, int kind) {
        return switch (Math.floorMod(kind, 3)) {
            case 0 -> new IllegalStateException("replica " + key + " broke for " + userId);
            case 1 -> new java.util.concurrent.CancellationException("replica " + key + ": its client cancelled the"
                    + " request for " + userId);
            default -> new java.util.concurrent.CompletionException("replica " + key + " failed for " + userId,
                    new IOException("replica " + key + ": connection reset"));
        };
    }

    /** What one replica call did: the thread that ran it, whether it was interrupted, and when it ended. */
    static final class Call {
        final Thread thread;
        volatile boolean interrupted;
        volatile long endedAt;

        Call(Thread thread) {
            this.thread = thread;
        }
    }

    /** One fetch drawn by the generator, and what it saw. */
    static final class GenLookup {
        final String userId;
        final java.util.Map<String, Act> acts = new java.util.LinkedHashMap<>();
        final java.util.Map<String, Call> calls = new java.util.concurrent.ConcurrentHashMap<>();
        final CountDownLatch started = new CountDownLatch(1);
        Duration timeout = GENEROUS;
        long soonMs = 30;
        long failLateMs;
        long interruptAfterMs = -1;
        volatile long interruptedAt;
        volatile Thread thread;
        volatile long startedAt;
        volatile long returnedAt;
        volatile Profile profile;
        volatile Throwable thrown;
        /** Whether the calling thread's interrupt status was still set when fetch threw. */
        volatile boolean interruptStatusLeftSet;
        int shared = 1;
        /** What the replicas' calls threw, each the very object. */
        final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

        <T extends Throwable> T failed(T failure) {
            failures.add(failure);
            return failure;
        }

        GenLookup(String userId) {
            this.userId = userId;
        }

        static GenLookup draw(java.util.Random r, String userId, List<GenReplica> replicas, String kind) {
            GenLookup l = new GenLookup(userId);
            Act[] fast = {Act.ANSWER_NOW, Act.ANSWER_SOON, Act.FAIL_NOW, Act.FAIL_UNCHECKED, Act.HANG};
            boolean interrupt = kind.equals("interrupt") || kind.equals("any") && r.nextInt(5) == 0;
            for (int z = 0; z < replicas.size(); z++) {
                Act act = switch (kind) {
                    case "deadline" -> z == 0 ? Act.FAIL_LATE : Act.HANG;
                    // two replicas in one zone: one hangs and must still be cancelled, whichever of them it is
                    case "shared-zone-first-hangs" -> z == 0 ? Act.HANG : Act.ANSWER_SOON;
                    case "shared-zone-second-hangs" -> z == 0 ? Act.ANSWER_SOON : Act.HANG;
                    case "timeout" -> r.nextBoolean() ? Act.HANG : Act.FAIL_NOW;
                    case "all-fail-unchecked" -> Act.FAIL_UNCHECKED;
                    default -> interrupt ? Act.HANG : fast[r.nextInt(fast.length)];
                };
                l.acts.put(replicas.get(z).key, act);
                replicas.get(z).lookups.put(userId, l);
            }
            if (kind.equals("timeout")) {
                l.acts.put(replicas.get(r.nextInt(replicas.size())).key, Act.HANG);
            }
            if (!interrupt && !kind.equals("timeout") && !kind.equals("deadline") && !l.answers() && l.acts.containsValue(Act.HANG)) {
                // no lookup but the chosen ones waits for its timeout: let one replica answer instead
                l.acts.put(replicas.get(r.nextInt(replicas.size())).key, r.nextBoolean() ? Act.ANSWER_NOW : Act.ANSWER_SOON);
            }
            if (kind.equals("deadline")) {
                l.timeout = Duration.ofMillis(400);
                l.failLateMs = 280;
            } else if (kind.equals("timeout")) {
                l.timeout = Duration.ofMillis(300);
            }
            if (interrupt) {
                l.interruptAfterMs = 30;
            }
            return l;
        }

        boolean answers() {
            return acts.containsValue(Act.ANSWER_NOW) || acts.containsValue(Act.ANSWER_SOON);
        }

        boolean waitsForTimeout() {
            return !answers() && (acts.containsValue(Act.HANG) || acts.containsValue(Act.FAIL_LATE) && acts.containsValue(Act.HANG));
        }

        /** When fetch must have returned by, in ms after it was called. */
        long limitMs() {
            if (interruptAfterMs >= 0) {
                return interruptAfterMs + 300;
            }
            if (waitsForTimeout()) {
                return timeout.toMillis() * 155 / 100; // a fresh timeout after the late failure would be 1.7x
            }
            return answers() && acts.containsValue(Act.ANSWER_SOON) && !acts.containsValue(Act.ANSWER_NOW)
                    ? soonMs + 500 : 500;
        }

        void run(ProfileLookup lookup, java.util.concurrent.CyclicBarrier start) {
            try {
                start.await();
                startedAt = System.nanoTime();
                started.countDown();
                profile = lookup.fetch(userId, timeout);
            } catch (Throwable t) {
                interruptStatusLeftSet = Thread.currentThread().isInterrupted();
                thrown = t;
            } finally {
                returnedAt = System.nanoTime();
                Thread.interrupted();
            }
        }

        long tookMs() {
            return TimeUnit.NANOSECONDS.toMillis(returnedAt - startedAt);
        }

        void verify(String replay) throws InterruptedException {
            String what = "in lookup " + this + " " + replay;
            String ended = thrown == null ? "returned " + profile : "threw " + describe(thrown);
            if (interruptAfterMs >= 0) {
                if (!(thrown instanceof InterruptedException)) {
                    fail("the thread calling fetch(" + userId + ") was interrupted while it waited, and fetch " + ended
                            + " instead of throwing InterruptedException, " + what, thrown);
                }
                if (interruptStatusLeftSet) {
                    fail("the thread calling fetch(" + userId + ") was interrupted while it waited, and fetch threw "
                            + "InterruptedException with the thread's interrupt status still set, " + what + ". A method"
                            + " that throws InterruptedException clears it, as the JDK's do: the exception is the news."
                            + " Left set, it fails the thread's next wait at once, its next lookup for one.");
                }
            } else if (answers()) {
                if (thrown != null) {
                    fail("a replica answered, but fetch(" + userId + ") " + ended + ", " + what + (shared > 1
                            ? ". " + shared + " lookups ran at once on this ProfileLookup: one lookup's clean-up must "
                            + "touch only its own calls." : ""), thrown);
                }
                if (profile == null || !profile.userId().equals(userId) || !isAnswer(acts.get(profile.zone()))) {
                    fail("fetch(" + userId + ") returned " + profile + ", which is not an answer to this lookup from "
                            + "a replica that answered, " + what);
                }
            } else if (!(thrown instanceof ReplicaUnavailableException)) {
                fail("no replica answered " + userId + ", and fetch " + ended
                        + " instead of throwing ReplicaUnavailableException, " + what, thrown);
            } else if (!failures.isEmpty() && !waitsForTimeout()
                    && failures.stream().noneMatch(f -> f == thrown.getCause())) {
                fail("every replica failed for " + userId + " (" + failures + "), and fetch threw"
                        + " ReplicaUnavailableException, but its cause is " + thrown.getCause() + ", which is none of"
                        + " those failures itself, " + what + ". Give one of the replicas' own failures as the cause,"
                        + " as it was thrown (some exceptions, a CancellationException or a CompletionException, are"
                        + " taken by a CompletableFuture as news of its own: rethrown as they are, or unwrapped).",
                        thrown);
            }
            long took = tookMs();
            if (took > limitMs()) {
                fail("fetch(" + userId + ", " + timeout.toMillis() + " ms) " + ended + " after " + took + " ms; it must "
                        + "return by " + limitMs() + " ms here, " + what + (waitsForTimeout()
                        ? ". The timeout is for the whole lookup: measure one deadline when fetch starts, and do not "
                        + "start the wait again when a replica fails." : answers() ? "" : ". Every replica had failed "
                        + "at once: the lookup fails as soon as the last replica has failed, without waiting for its "
                        + "timeout."));
            }
            if (waitsForTimeout() && interruptAfterMs < 0 && took < timeout.toMillis() * 9 / 10) {
                fail("fetch(" + userId + ", " + timeout.toMillis() + " ms) gave up after " + took + " ms, although a "
                        + "replica was still running and the timeout had not passed, " + what);
            }
            for (var e : calls.entrySet()) {
                Call call = e.getValue();
                long endedAt = call.endedAt;
                boolean runningAtReturn = endedAt == 0 || endedAt - returnedAt > 0;
                if (runningAtReturn && !call.interrupted) {
                    call.thread.join(LOSER_END_MS);
                    if (!call.interrupted) {
                        throw Pitfalls.leak("fetch(" + userId + ") " + ended + ", but its call to " + e.getKey()
                                + ", still running then, was not interrupted within " + LOSER_END_MS + " ms: it is "
                                + whereIs(call.thread) + ", " + what + ". However the lookup ends (answer, failure, "
                                + "timeout or interrupt), cancel the calls still running." + cfNote(call.thread));
                    }
                }
                call.thread.join(LOSER_END_MS);
                if (call.thread.isAlive()) {
                    throw Pitfalls.leak("fetch(" + userId + ") " + ended + ", but the thread that ran its call to "
                            + e.getKey() + " was still alive " + LOSER_END_MS + " ms later: it is "
                            + whereIs(call.thread) + ", " + what + "." + poolNote(call.thread));
                }
            }
        }

        private static boolean isAnswer(Act act) {
            return act == Act.ANSWER_NOW || act == Act.ANSWER_SOON;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(userId).append(" ").append(acts);
            if (acts.containsValue(Act.ANSWER_SOON)) {
                b.append(", ANSWER_SOON after ").append(soonMs).append(" ms");
            }
            if (acts.containsValue(Act.FAIL_LATE)) {
                b.append(", FAIL_LATE after ").append(failLateMs).append(" ms");
            }
            b.append(", timeout ").append(timeout.toMillis()).append(" ms");
            if (interruptAfterMs >= 0) {
                b.append(", caller interrupted after ").append(interruptAfterMs).append(" ms");
            }
            return b.toString();
        }
    }

    /**
     * One ProfileLookup serving lookups one after another, as a service does all day: in odd rounds
     * zone-a answers at once and zone-b's call, hanging, is cancelled; in even rounds zone-a fails at
     * once and zone-b answers a moment later. Each lookup stands on its own: nothing a lookup counted
     * (its failures, its cancelled calls) may decide a later one.
     */
    @Test
    @Order(6)
    void aLookupStandsOnItsOwnAfterEarlierLookups() throws Exception {
        CountDownLatch[] zoneAFailed = new CountDownLatch[7];
        java.util.concurrent.ConcurrentMap<String, Thread> zoneBCalls = new java.util.concurrent.ConcurrentHashMap<>();
        Replica zoneA = new Replica() {
            @Override
            public String zone() {
                return "zone-a";
            }

            @Override
            public Profile fetch(String userId) throws IOException {
                int round = roundOf(userId);
                if (round % 2 == 0) {
                    zoneAFailed[round].countDown();
                    throw new IOException("zone-a: connection refused for " + userId);
                }
                return new Profile(userId, "User " + userId, "zone-a");
            }
        };
        Replica zoneB = new Replica() {
            @Override
            public String zone() {
                return "zone-b";
            }

            @Override
            public Profile fetch(String userId) throws InterruptedException {
                int round = roundOf(userId);
                zoneBCalls.put(userId, Thread.currentThread());
                if (round % 2 == 1) {
                    new CountDownLatch(1).await(); // hangs until its call is cancelled
                }
                zoneAFailed[round].await();
                Thread.sleep(20); // a moment after zone-a's failure
                return new Profile(userId, "User " + userId, "zone-b");
            }
        };
        ProfileLookup lookup = new ProfileLookup(List.of(zoneA, zoneB));
        StringBuilder before = new StringBuilder();
        for (int round = 1; round <= 6; round++) {
            zoneAFailed[round] = new CountDownLatch(1);
            String user = "u-6000-" + round;
            Profile profile;
            try {
                profile = fetchOnTime(lookup, user, GENEROUS);
            } catch (ReplicaUnavailableException e) {
                throw new AssertionError("One ProfileLookup served lookups one after another (" + before + "). In"
                        + " lookup " + round + " zone-a failed at once and zone-b answered 20 ms later, well within"
                        + " the timeout, yet fetch() threw " + describe(e) + ". A lookup fails only when every"
                        + " replica of that lookup has failed: what earlier lookups counted (their failures,"
                        + " their cancelled calls) must not carry over.", e);
            }
            String zone = round % 2 == 1 ? "zone-a" : "zone-b";
            assertEquals(new Profile(user, "User " + user, zone), profile, "lookup " + round + " after " + before);
            Thread call = zoneBCalls.get(user);
            if (call != null) {
                call.join(1_000); // a cancelled call ends before the next lookup, so rounds do not overlap
            }
            before.append(before.isEmpty() ? "" : "; ").append(round).append(": ")
                    .append(round % 2 == 1 ? "zone-a answered, zone-b's call cancelled" : "zone-a failed, zone-b answered");
        }
    }

    /** The round of aLookupStandsOnItsOwnAfterEarlierLookups a user id belongs to: u-6000-3 is round 3. */
    private static int roundOf(String userId) {
        return Integer.parseInt(userId.substring(userId.lastIndexOf('-') + 1));
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Calls fetch() on a thread of its own and waits for it a little longer than its timeout, so
     * that a fetch() that waits for every call to end fails here, with a message, instead of hanging.
     */
    private static Profile fetchOnTime(ProfileLookup lookup, String userId, Duration timeout)
            throws ReplicaUnavailableException, InterruptedException {
        return fetchOnTime(lookup, userId, timeout, "", "A lookup with a timeout must return on time even if no"
                + " replica ever answers: wait for the first answer with a limit.");
    }

    /** As above; a late fetch() is reported as {@code scene}, what was seen, then {@code advice}. */
    private static Profile fetchOnTime(ProfileLookup lookup, String userId, Duration timeout, String scene,
            String advice) throws ReplicaUnavailableException, InterruptedException {
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
            throw Pitfalls.timeout(scene + "fetch(" + userId + ", " + timeout.toMillis() + " ms) had not "
                    + "returned after " + limit + " ms: the caller is " + whereIs(caller) + ". " + advice);
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

    enum Mode { ANSWER, FAIL, BREAK, CRASH, HANG, DEAF, ANSWER_AFTER_FAILURE }

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
        /** Replicas that fail at the same moment wait here for each other first (null: fail at once). */
        java.util.concurrent.CyclicBarrier together;

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

        /** Fails at once with an unchecked exception, as a replica's client with a bug would. */
        static ScriptedReplica breaking(String zone) {
            return new ScriptedReplica(zone, Mode.BREAK, null);
        }

        /** Fails at once with an Error, as a replica's client whose classes are broken would. */
        static ScriptedReplica crashing(String zone) {
            return new ScriptedReplica(zone, Mode.CRASH, null);
        }

        /** Never answers: waits until its call is interrupted, as a call to a stuck zone would. */
        static ScriptedReplica hanging(String zone) {
            return new ScriptedReplica(zone, Mode.HANG, null);
        }

        /**
         * Never answers, and does not stop when its call is interrupted (it notes the interrupt), as a
         * blocking client may not: the call ends only once the test releases it.
         */
        static ScriptedReplica deaf(String zone) {
            return new ScriptedReplica(zone, Mode.DEAF, null);
        }

        /** Ends a deaf replica's call. */
        void release() {
            never.countDown();
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
                    awaitTheOthers();
                    failed.countDown();
                    throw failure;
                }
                case BREAK -> {
                    awaitTheOthers();
                    failed.countDown();
                    throw new IllegalStateException("replica in " + zone + " broke: " + failure.getMessage());
                }
                case CRASH -> {
                    awaitTheOthers();
                    failed.countDown();
                    throw new AssertionError("replica client for " + zone + " crashed: " + failure.getMessage());
                }
                case HANG -> {
                    try {
                        never.await(); // nobody counts this down: only an interrupt ends the call
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                }
                case DEAF -> {
                    if (dev.kata.probe.api.Uninterruptible.await(never, Long.MAX_VALUE)) {
                        interrupted.countDown();
                        throw new InterruptedException("replica client for " + zone + ": interrupted, ended late");
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

        /** Lines the failure up with the other replicas' (for a short while: a lookup that calls them one by one fails them one by one). */
        private void awaitTheOthers() throws InterruptedException {
            if (together != null) {
                try {
                    together.await(500, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.BrokenBarrierException | java.util.concurrent.TimeoutException e) {
                    // not all called at once: fail now
                }
            }
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
