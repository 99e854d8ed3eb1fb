package threadlocalrenderer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Exports lab reports as PDF. Every export needs a {@link Renderer}, which is expensive to
 * build (it loads the fonts and allocates a large scratch buffer) and not thread-safe, so the
 * exporter keeps a small pool of them and lends one to each export. Each request runs on a
 * virtual thread of its own.
 */
public final class ReportExporter {

    /** Renders one report at a time; must be reset before each use. */
    public interface Renderer {
        void reset();

        byte[] render(String reportId);
    }

    /** At most this many renderers ever exist; more exports than that wait for one. */
    static final int MAX_RENDERERS = 8;

    private final Supplier<Renderer> newRenderer;
    private final BlockingQueue<Renderer> idle = new ArrayBlockingQueue<>(MAX_RENDERERS);
    private final AtomicInteger built = new AtomicInteger();

    public ReportExporter(Supplier<Renderer> newRenderer) {
        this.newRenderer = newRenderer;
    }

    /** Renders one report; called concurrently, from one virtual thread per request. */
    public byte[] export(String reportId) throws InterruptedException {
        Renderer renderer = borrow();
        try {
            renderer.reset();
            return renderer.render(reportId);
        } finally {
            idle.offer(renderer); // never fails: at most MAX_RENDERERS exist
        }
    }

    private Renderer borrow() throws InterruptedException {
        Renderer renderer = idle.poll();
        if (renderer != null) {
            return renderer;
        }
        // Build a new one only while the pool is below its cap; otherwise wait for one.
        for (int n = built.get(); n < MAX_RENDERERS; n = built.get()) {
            if (built.compareAndSet(n, n + 1)) {
                return newRenderer.get();
            }
        }
        return idle.take();
    }
}
