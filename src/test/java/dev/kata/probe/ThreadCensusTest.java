package dev.kata.probe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ThreadCensusTest {

    @Test
    void theJdksSocketPollersForVirtualThreadsAreNotTheLearners() throws Exception {
        assumeTrue(ThreadCensus.seesVirtualThreads(), "needs --add-exports java.base/jdk.internal.vm");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try (Socket accepted = server.accept()) {
                    accepted.getInputStream().read();
                } catch (IOException e) {
                    // the test only needs the wait
                }
            });
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (subPollers().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                client.getOutputStream().write(1);
            }
            reader.join();
        }
        List<Thread> pollers = subPollers();
        assumeTrue(!pollers.isEmpty(), "this JDK polls sockets on platform threads");
        for (Thread poller : pollers) {
            assertTrue(ThreadCensus.isInfrastructure(poller), poller + " should not count as a leak");
        }
    }

    @Test
    void aLearnersVirtualThreadNamedLikeAPollerStillCounts() throws Exception {
        Thread imitation = Thread.ofVirtual().name("SubPoller-7").start(LockSupport::park);
        try {
            while (imitation.getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
            assertFalse(ThreadCensus.isInfrastructure(imitation));
        } finally {
            LockSupport.unpark(imitation);
            imitation.join();
        }
    }

    private static List<Thread> subPollers() {
        return ThreadCensus.liveThreads().stream().filter(t -> t.getName().startsWith("SubPoller-")).toList();
    }
}
