package dev.kata.probe.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kata.probe.RewrittenClasses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimeoutRewriterTest {

    @Test
    void limitsHandedToTheJdkAreAtLeastAThousandTimesShorter() {
        assertEquals(TimeUnit.MILLISECONDS, ShortTimeouts.unit(TimeUnit.SECONDS));
        assertEquals(TimeUnit.NANOSECONDS, ShortTimeouts.unit(TimeUnit.MICROSECONDS));
        assertEquals(TimeUnit.MILLISECONDS, ShortTimeouts.unit(TimeUnit.MINUTES), "a minute is not a second: tests hold less");
        assertEquals(TimeUnit.MILLISECONDS, ShortTimeouts.unit(TimeUnit.DAYS));
        assertEquals(2, ShortTimeouts.amount(2_000));
        assertEquals(1, ShortTimeouts.amount(5), "a positive limit stays positive");
        assertEquals(0, ShortTimeouts.amount(0), "join(0) and wait(0) wait without a limit: they stay so");
        assertEquals(Duration.ofMillis(3), ShortTimeouts.duration(Duration.ofSeconds(3)));
        assertEquals(Duration.ofNanos(1), ShortTimeouts.duration(Duration.ofNanos(10)));
    }

    @Test
    void onlyTheJdksTimedCallsAreShortened() {
        assertEquals("unit", name(TimeoutRewriter.shortener("java/util/concurrent/ExecutorService", "awaitTermination",
                "(JLjava/util/concurrent/TimeUnit;)Z")));
        assertEquals("duration", name(TimeoutRewriter.shortener("java/lang/Thread", "sleep", "(Ljava/time/Duration;)V")));
        assertEquals("amount", name(TimeoutRewriter.shortener("java/lang/Thread", "join", "(J)V")));
        assertEquals("amount", name(TimeoutRewriter.shortener("some/Learner", "wait", "(J)V")));
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
        assertEquals(List.of("5 MILLISECONDS"), direct.limits);
        RecordingQueue passedOn = new RecordingQueue();
        type.getMethod("pollThroughOwnMethod", java.util.concurrent.BlockingQueue.class).invoke(fixture, passedOn);
        assertEquals(List.of("5 MILLISECONDS"), passedOn.limits);
        assertEquals(7_000L, type.getMethod("secondsInMillis", long.class).invoke(fixture, 7L));
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
