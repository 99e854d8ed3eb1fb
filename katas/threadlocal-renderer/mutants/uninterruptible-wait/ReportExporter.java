package threadlocalrenderer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
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
    /** One permit per renderer an export may hold: maxRenderers exports at once, the others wait. */
    private final Semaphore lendable;
    /** Renderers built and not lent out. */
    private final BlockingQueue<Renderer> idle;

    /**
     * @param newRenderer  builds a renderer (slow: loads the fonts, allocates the scratch buffer)
     * @param maxRenderers how many renderers the server can afford to keep. The request pool used
     *                     to have this many threads, so one renderer per thread stayed within it.
     */
    public ReportExporter(Supplier<Renderer> newRenderer, int maxRenderers) {
        this.newRenderer = newRenderer;
        this.lendable = new Semaphore(maxRenderers);
        this.idle = new ArrayBlockingQueue<>(maxRenderers);
    }

    /** Renders one report; called concurrently, from one virtual thread per request. */
    public byte[] export(String reportId) throws InterruptedException {
        lendable.acquireUninterruptibly(); // an export always gets its renderer in the end
        try {
            Renderer renderer = idle.poll();
            if (renderer == null) {
                // None idle while this export holds a permit: fewer than maxRenderers exist.
                renderer = newRenderer.get();
            }
            try {
                renderer.reset();
                return renderer.render(reportId);
            } finally {
                idle.offer(renderer); // back in the pool, even after a failure: it is reset before each use
            }
        } finally {
            lendable.release(); // also when building the renderer failed
        }
    }
}
