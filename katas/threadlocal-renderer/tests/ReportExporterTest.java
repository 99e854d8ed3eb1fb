package threadlocalrenderer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kata.probe.api.Pitfalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import threadlocalrenderer.ReportExporter.Renderer;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportExporterTest {

    /** A renderer that counts how often it is built and notices misuse. */
    static final class CountingRenderer implements Renderer {
        static final AtomicInteger BUILT = new AtomicInteger();
        static final AtomicInteger RENDERING = new AtomicInteger();
        static final AtomicInteger PEAK = new AtomicInteger();
        static final AtomicReference<String> MISUSE = new AtomicReference<>();
        static volatile int waitForOthers; // hold each render until this many render at once

        private final AtomicBoolean busy = new AtomicBoolean();
        private volatile boolean clean;

        CountingRenderer() {
            BUILT.incrementAndGet();
        }

        @Override
        public void reset() {
            if (busy.get()) {
                MISUSE.compareAndSet(null, "one export reset the renderer while another export was rendering with it");
            }
            clean = true;
        }

        @Override
        public byte[] render(String reportId) {
            if (!busy.compareAndSet(false, true)) {
                MISUSE.compareAndSet(null, "two exports rendered with the same renderer at the same time");
            }
            if (!clean) {
                MISUSE.compareAndSet(null, "a renderer was used again without reset()");
            }
            clean = false;
            PEAK.accumulateAndGet(RENDERING.incrementAndGet(), Math::max);
            try {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (RENDERING.get() < waitForOthers && System.nanoTime() < until) {
                    Thread.onSpinWait();
                    Thread.yield();
                }
            } finally {
                RENDERING.decrementAndGet();
                busy.set(false);
            }
            return ("PDF:" + reportId).getBytes(StandardCharsets.UTF_8);
        }

        static void clear(int wait) {
            BUILT.set(0);
            RENDERING.set(0);
            PEAK.set(0);
            MISUSE.set(null);
            waitForOthers = wait;
        }
    }

    @Test
    @Order(1)
    @DisplayName("2,000 requests, each on its own virtual thread, share a handful of renderers")
    void rendererIsReusedAcrossRequests() throws Exception {
        CountingRenderer.clear(0);
        final int requests = 2_000;
        ReportExporter exporter = new ReportExporter(CountingRenderer::new);
        List<Future<byte[]>> pdfs = new ArrayList<>(requests);
        try (ExecutorService server = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < requests; i++) {
                String id = "LAB-" + i;
                pdfs.add(server.submit(() -> exporter.export(id)));
            }
        }
        int built = CountingRenderer.BUILT.get();
        if (built > 16) {
            throw Pitfalls.resourceLeak(String.format("%,d", built) + " renderers were built for "
                    + String.format("%,d", requests) + " exports: each one loads the fonts and allocates a"
                    + " large buffer, to be thrown away after a single report. A per-thread cache pays off"
                    + " when a few pooled threads live for hours; every request here runs on a fresh virtual"
                    + " thread that lives for one export, so a ThreadLocal holds exactly one use. Share the"
                    + " expensive objects through a small pool that lends one to each export and takes it"
                    + " back (Go's sync.Pool plays this part), instead of tying them to threads.");
        }
        for (int i = 0; i < requests; i += 500) {
            assertEquals("PDF:LAB-" + i, new String(pdfs.get(i).get(), StandardCharsets.UTF_8), "PDF of LAB-" + i);
        }
        String misuse = CountingRenderer.MISUSE.get();
        if (misuse != null) {
            throw Pitfalls.race("A renderer is not thread-safe, but " + misuse + ".");
        }
    }

    @Test
    @Order(2)
    @DisplayName("four simultaneous exports render at the same time, each with a renderer of its own")
    void simultaneousExportsDoNotShareARenderer() throws Exception {
        final int exports = 4;
        CountingRenderer.clear(exports);
        ReportExporter exporter = new ReportExporter(CountingRenderer::new);
        CyclicBarrier together = new CyclicBarrier(exports);
        List<Future<byte[]>> pdfs = new ArrayList<>();
        try (ExecutorService server = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < exports; i++) {
                String id = "LAB-9" + i;
                pdfs.add(server.submit(() -> {
                    together.await(2, TimeUnit.SECONDS);
                    return exporter.export(id);
                }));
            }
        }
        String misuse = CountingRenderer.MISUSE.get();
        if (misuse != null) {
            throw Pitfalls.race("A renderer is not thread-safe, but " + misuse + ": the PDFs come out"
                    + " with pages of other patients' reports. Each export needs a renderer that nobody else"
                    + " is using until it is given back.");
        }
        for (int i = 0; i < exports; i++) {
            assertEquals("PDF:LAB-9" + i, new String(pdfs.get(i).get(), StandardCharsets.UTF_8), "PDF of LAB-9" + i);
        }
        int peak = CountingRenderer.PEAK.get();
        if (peak < exports) {
            throw Pitfalls.timeout("Four exports arrived together but at most " + peak + " rendered at a time:"
                    + " they queued for a single renderer. A lock around one shared renderer is safe, but every"
                    + " report then waits for all the others; lend each export a renderer of its own from a"
                    + " small pool.");
        }
    }
}
