package threadlocalrenderer;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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

    private final Supplier<Renderer> newRenderer;
    private final int maxRenderers;
    /** Renderers built, or being built: never more than maxRenderers. */
    private final AtomicInteger built = new AtomicInteger();
    /** Renderers built and not lent out. */
    private final BlockingQueue<Renderer> idle;

    /**
     * @param newRenderer  builds a renderer (slow: loads the fonts, allocates the scratch buffer)
     * @param maxRenderers how many renderers the server can afford to keep. The request pool used
     *                     to have this many threads, so one renderer per thread stayed within it.
     */
    public ReportExporter(Supplier<Renderer> newRenderer, int maxRenderers) {
        this.newRenderer = newRenderer;
        this.maxRenderers = maxRenderers;
        this.idle = new LinkedBlockingQueue<>();
    }

    /** Renders one report; called concurrently, from one virtual thread per request. */
    public byte[] export(String reportId) throws InterruptedException {
        Renderer renderer = idle.poll();
        if (renderer == null) {
            if (reservePlace()) {
                try {
                    renderer = newRenderer.get();
                } catch (RuntimeException | Error e) {
                    built.decrementAndGet(); // a build that throws does not count
                    throw e;
                }
            } else {
                renderer = idle.take(); // every renderer is built: wait for one to come back
            }
        }
        try {
            renderer.reset();
            return renderer.render(reportId);
        } finally {
            idle.offer(renderer);
        }
    }

    private boolean reservePlace() {
        while (true) {
            int now = built.get();
            if (now >= maxRenderers) {
                return false;
            }
            if (built.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }
}
