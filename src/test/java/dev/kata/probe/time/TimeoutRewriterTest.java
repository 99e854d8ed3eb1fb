package dev.kata.probe.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.RewrittenClasses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimeoutRewriterTest {

    @Test
    void limitsHandedToTheJdkAreAThousandTimesShorterAndSixtyMillisecondsAtMost() {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), ShortTimeouts.nanos(1, TimeUnit.SECONDS));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(60), ShortTimeouts.nanos(1, TimeUnit.MINUTES));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(60), ShortTimeouts.nanos(TimeUnit.MINUTES.toNanos(10), TimeUnit.NANOSECONDS),
                "a guess counted out in nanoseconds is no longer than one in minutes");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(60), ShortTimeouts.nanos(3_600_000, TimeUnit.MILLISECONDS));
        assertEquals(1, ShortTimeouts.nanos(10, TimeUnit.NANOSECONDS), "a positive limit stays positive");
        assertEquals(0, ShortTimeouts.nanos(0, TimeUnit.SECONDS));
        assertEquals(Long.MAX_VALUE, ShortTimeouts.nanos(Long.MAX_VALUE, TimeUnit.NANOSECONDS), "no limit stays no limit");
        assertEquals(Long.MAX_VALUE, ShortTimeouts.nanos(Long.MAX_VALUE, TimeUnit.DAYS));
        assertEquals(2, ShortTimeouts.millis(2_000));
        assertEquals(60, ShortTimeouts.millis(600_000));
        assertEquals(1, ShortTimeouts.millis(5), "a positive limit stays positive");
        assertEquals(0, ShortTimeouts.millis(0), "join(0) and wait(0) wait without a limit: they stay so");
        assertEquals(Long.MAX_VALUE, ShortTimeouts.millis(Long.MAX_VALUE));
        assertEquals(60_000_000, ShortTimeouts.shortenNanos(TimeUnit.HOURS.toNanos(1)));
        assertEquals(Duration.ofMillis(3), ShortTimeouts.duration(Duration.ofSeconds(3)));
        assertEquals(Duration.ofMillis(60), ShortTimeouts.duration(Duration.ofHours(1)));
        assertEquals(Duration.ofNanos(1), ShortTimeouts.duration(Duration.ofNanos(10)));
        assertEquals(Duration.ofDays(10_000), ShortTimeouts.duration(Duration.ofDays(10_000)));
        assertEquals(TimeUnit.MILLISECONDS, ShortTimeouts.unit(TimeUnit.MINUTES), "a period follows its unit");
    }

    @Test
    void onlyTheJdksTimedCallsAreShortened() {
        assertEquals("nanos", name(TimeoutRewriter.shortener("java/util/concurrent/ExecutorService", "awaitTermination",
                "(JLjava/util/concurrent/TimeUnit;)Z")));
        assertEquals("unit", name(TimeoutRewriter.shortener("java/util/concurrent/ScheduledExecutorService",
                "scheduleAtFixedRate", "(Ljava/lang/Runnable;JJLjava/util/concurrent/TimeUnit;)"
                        + "Ljava/util/concurrent/ScheduledFuture;")));
        assertEquals("shortenNanos", name(TimeoutRewriter.shortener("java/util/concurrent/locks/LockSupport", "parkNanos",
                "(J)V")));
        assertEquals("duration", name(TimeoutRewriter.shortener("java/lang/Thread", "sleep", "(Ljava/time/Duration;)V")));
        assertEquals("millis", name(TimeoutRewriter.shortener("java/lang/Thread", "join", "(J)V")));
        assertEquals("millis", name(TimeoutRewriter.shortener("some/Learner", "wait", "(J)V")));
        assertNull(TimeoutRewriter.shortener("java/util/concurrent/TimeUnit", "convert", "(JLjava/util/concurrent/TimeUnit;)J"));
        assertNull(TimeoutRewriter.shortener("java/time/Duration", "plus", "(Ljava/time/Duration;)Ljava/time/Duration;"));
        assertNull(TimeoutRewriter.shortener("some/Learner", "pollFor", "(JLjava/util/concurrent/TimeUnit;)V"));
    }

    @Test
    void aRewrittenClassWaitsAThousandTimesLessOnceWhateverPathTheLimitTakes() throws Exception {
        Class<?> type = RewrittenClasses.load(TimeoutFixture.class, TimeoutRewriter::rewrite);
        Object fixture = type.getConstructor().newInstance();
        RecordingQueue direct = new RecordingQueue();
        type.getMethod("pollFiveSeconds", java.util.concurrent.BlockingQueue.class).invoke(fixture, direct);
        assertEquals(List.of("5000000 NANOSECONDS"), direct.limits);
        RecordingQueue passedOn = new RecordingQueue();
        type.getMethod("pollThroughOwnMethod", java.util.concurrent.BlockingQueue.class).invoke(fixture, passedOn);
        assertEquals(List.of("5000000 NANOSECONDS"), passedOn.limits);
        RecordingQueue byHand = new RecordingQueue();
        type.getMethod("pollTenMinutesInNanos", java.util.concurrent.BlockingQueue.class).invoke(fixture, byHand);
        assertEquals(List.of("60000000 NANOSECONDS"), byHand.limits);
        RecordingQueue forGood = new RecordingQueue();
        type.getMethod("pollForGood", java.util.concurrent.BlockingQueue.class).invoke(fixture, forGood);
        assertEquals(List.of(Long.MAX_VALUE + " NANOSECONDS"), forGood.limits);
        assertEquals(7_000L, type.getMethod("secondsInMillis", long.class).invoke(fixture, 7L));
    }

    @Test
    void theLearnersClockRunsAThousandTimesFast() {
        long t = System.nanoTime();
        assertEquals(TimeUnit.SECONDS.toNanos(1), ShortTimeouts.nanoTime(t + TimeUnit.MILLISECONDS.toNanos(1))
                - ShortTimeouts.nanoTime(t));
        long ms = System.currentTimeMillis();
        assertEquals(60_000L, ShortTimeouts.currentTimeMillis(ms + 60) - ShortTimeouts.currentTimeMillis(ms));
        java.time.Instant now = java.time.Instant.now();
        assertEquals(Duration.ofSeconds(2), Duration.between(ShortTimeouts.instant(now),
                ShortTimeouts.instant(now.plusMillis(2))));
        assertEquals("nanoTime", name(TimeoutRewriter.clock("java/lang/System", "nanoTime", "()J")));
        assertEquals("instant", name(TimeoutRewriter.clock("java/time/Instant", "now", "()Ljava/time/Instant;")));
        assertNull(TimeoutRewriter.clock("java/time/Instant", "now", "(Ljava/time/Clock;)Ljava/time/Instant;"));
        assertNull(TimeoutRewriter.clock("some/Learner", "nanoTime", "()J"));
    }

    @Test
    void aDeadlineCountedOutByHandPassesAsSoonAsAShortenedLimitWould() throws Exception {
        Class<?> type = RewrittenClasses.load(TimeoutFixture.class, TimeoutRewriter::rewrite);
        Object fixture = type.getConstructor().newInstance();
        java.util.function.BooleanSupplier never = () -> false;
        int sleeps = (int) type.getMethod("sleepsUntilOwnDeadline", java.util.function.BooleanSupplier.class)
                .invoke(fixture, never);
        // Half a minute on a clock a thousand times fast is 30 ms, at least a millisecond a sleep:
        // the 30,000 sleeps of a real half minute would not have ended it.
        assertTrue(sleeps <= 30, sleeps + " sleeps");
    }

    @Test
    void bytesThatAreNotAClassPassThroughUnchanged() {
        byte[] garbage = {1, 2, 3};
        assertSame(garbage, TimeoutRewriter.rewrite(garbage));
    }

    private static String name(String shortener) {
        return shortener.substring(0, shortener.indexOf('('));
    }

    /** A queue that answers at once and notes the limit it was given. */
    private static final class RecordingQueue extends LinkedBlockingQueue<String> {
        private static final long serialVersionUID = 1L;
        final List<String> limits = new ArrayList<>();

        @Override
        public String poll(long timeout, TimeUnit unit) {
            limits.add(timeout + " " + unit);
            return null;
        }
    }
}
