package dev.kata.probe;

import java.util.List;

/**
 * One look at the test's threads, for the deadlock detector.
 *
 * @param onTime     whether the detector itself ran on schedule since its last look: if it did not,
 *                   the JVM was short of CPU and the look proves nothing about who could have moved
 * @param waiters    every thread of the test (and every other user thread)
 * @param bystanders the kernel's word on platform threads that are no one's but could still wake a
 *                   waiter: pool workers, virtual threads' carriers, the JDK's delay scheduler
 */
record WaitSample(boolean onTime, List<Waiter> waiters, List<KernelThreads.View> bystanders) {
}
