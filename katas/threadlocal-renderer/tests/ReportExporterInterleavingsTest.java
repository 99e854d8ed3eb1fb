package threadlocalrenderer;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.kata.probe.api.Interleavings;
import dev.kata.probe.api.Pitfalls;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import threadlocalrenderer.ReportExporter.Renderer;

/**
 * The race for the last renderer, model-checked: with maxRenderers 1, two exports start on a fresh
 * exporter at once, and the model checker tries the ways their steps can interleave until one
 * builds a second renderer or two exports share one (or none does). A check of "fewer than
 * maxRenderers exist" and the count's increment are two steps: another export can get between them,
 * a gap that stress on one core almost never opens. The checker finds it on every run, however busy
 * the machine; the verdict shows it step by step.
 */
@Timeout(value = 60, unit = SECONDS)
class ReportExporterInterleavingsTest {
    private static final int INVOCATIONS = 30;

    /** Published through fields, so that the model checker follows every access to them. */
    private static ReportExporter exporter;
    private static Factory factory;
    private static String first;
    private static String second;

    @Test
    @DisplayName("maxRenderers 1, two exports at once: no interleaving builds a second renderer or shares one"
            + " (model-checked)")
    void noInterleavingBuildsPastTheCap() throws InterruptedException {
        // First, without the model checker: two fresh exporters, one export after the other on this thread.
        // Each exporter builds its own first renderer, and reuses it for its next export.
        for (String name : new String[] {"a first exporter", "a second exporter"}) {
            Factory own = new Factory();
            ReportExporter fresh = new ReportExporter(own::build, 1);
            fresh.export("LAB-01");
            if (own.built() == 0) {
                throw Pitfalls.race("The first export of " + name + " (maxRenderers 1) rendered without its"
                        + " supplier building a renderer: it was lent a renderer built by the supplier of an"
                        + " exporter created before it. Each exporter keeps its own renderers.");
            }
            fresh.export("LAB-02");
            if (own.built() > 1) {
                throw Pitfalls.resourceLeak("maxRenderers is 1, and two exports, one after the other on the same"
                        + " thread, built " + own.built() + " renderers: the second did not reuse the first one's.");
            }
        }
        secondExportWaitsWhileTheFirstRenders();
        Interleavings.check(INVOCATIONS, () -> {
            factory = new Factory();
            exporter = new ReportExporter(factory::build, 1);
            first = null;
            second = null;
            Thread export1 = new Thread(() -> first = export("LAB-1"));
            Thread export2 = new Thread(() -> second = export("LAB-2"));
            export1.start();
            export2.start();
            join(export1);
            join(export2);
            int built = factory.built();
            if (built > 1) {
                throw Pitfalls.resourceLeak("maxRenderers is 1, and two exports at once, each on a thread of its own,"
                        + " built " + built + " renderers (the steps below), although two exports one after the other"
                        + " built one. An export may build a renderer only when no other export can: where checking"
                        + " the count and raising it are two steps, the other export gets between them (a"
                        + " compare-and-set, a Semaphore or a lock makes them one).");
            }
            String misuse = factory.misuse();
            if (misuse != null) {
                throw Pitfalls.race("maxRenderers is 1, and with two exports at once " + misuse + " (the steps below).");
            }
            if (!"PDF:LAB-1".equals(first) || !"PDF:LAB-2".equals(second)) {
                throw new AssertionError("Two exports at once returned " + first + " for LAB-1 and " + second
                        + " for LAB-2 (the steps below).");
            }
        });
    }

    /**
     * Without the model checker: one export held inside render, a second export started on another thread.
     * With maxRenderers 1, the second must wait for the renderer, not build one of its own.
     */
    private static void secondExportWaitsWhileTheFirstRenders() throws InterruptedException {
        CountDownLatch rendering = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        Factory held = new Factory() {
            @Override
            Renderer build() {
                Renderer inner = super.build();
                return new Renderer() {
                    @Override
                    public void reset() {
                        inner.reset();
                    }

                    @Override
                    public byte[] render(String reportId) {
                        rendering.countDown();
                        try {
                            mayFinish.await(2, SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return inner.render(reportId);
                    }
                };
            }
        };
        ReportExporter one = new ReportExporter(held::build, 1);
        Thread first = Thread.ofPlatform().name("export-LAB-1").start(() -> exportQuietly(one, "LAB-1"));
        Thread second = null;
        try {
            if (!rendering.await(2, SECONDS)) {
                throw new AssertionError("A single export on a fresh exporter (maxRenderers 1) had not started"
                        + " rendering after 2 s.");
            }
            second = Thread.ofPlatform().name("export-LAB-2").start(() -> exportQuietly(one, "LAB-2"));
            long deadline = System.nanoTime() + SECONDS.toNanos(1);
            while (System.nanoTime() < deadline && held.built() < 2 && second.isAlive()
                    && second.getState() == Thread.State.RUNNABLE) {
                Thread.sleep(1);
            }
            Thread.sleep(10);
            int built = held.built();
            if (built > 1) {
                throw Pitfalls.resourceLeak("maxRenderers is 1, and while one export was still rendering, a second"
                        + " export (on another thread) built a second renderer instead of waiting for the first"
                        + " one to come back.");
            }
        } finally {
            mayFinish.countDown();
            first.join(2_000);
            if (second != null) {
                second.join(2_000);
            }
        }
    }

    private static void exportQuietly(ReportExporter exporter, String id) {
        try {
            exporter.export(id);
        } catch (Throwable e) {
            // what the export did is judged by the renderers it built
        }
    }

    private static String export(String id) {
        try {
            return new String(exporter.export(id), StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            throw new IllegalStateException("nobody interrupts this export", e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds renderers and counts them; a monitor guards the counts, so that they cannot race themselves. */
    private static class Factory {
        private int built;
        private String misuse;

        synchronized int built() {
            return built;
        }

        synchronized String misuse() {
            return misuse;
        }

        synchronized void misuse(String what) {
            if (misuse == null) {
                misuse = what;
            }
        }

        Renderer build() {
            int serial;
            synchronized (this) {
                serial = ++built;
            }
            return new CheckedRenderer(this, serial);
        }
    }

    private static final class CheckedRenderer implements Renderer {
        private final Factory factory;
        private final int serial;
        private int users;

        CheckedRenderer(Factory factory, int serial) {
            this.factory = factory;
            this.serial = serial;
        }

        @Override
        public void reset() {
            synchronized (this) {
                if (users > 0) {
                    factory.misuse("one export reset renderer #" + serial + " while the other rendered with it");
                }
            }
        }

        @Override
        public byte[] render(String reportId) {
            synchronized (this) {
                if (++users > 1) {
                    factory.misuse("both rendered with renderer #" + serial + " at the same time");
                }
            }
            try {
                return ("PDF:" + reportId).getBytes(StandardCharsets.UTF_8);
            } finally {
                synchronized (this) {
                    users--;
                }
            }
        }
    }
}
