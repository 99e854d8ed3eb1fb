package threadlocalrenderer;

import java.util.function.Supplier;

/**
 * Exports lab reports as PDF. Every export needs a {@link Renderer}, which is expensive to
 * build (it loads the fonts and allocates a large scratch buffer) and not thread-safe, so the
 * exporter keeps one per thread and reuses it. Each request runs on a virtual thread of its own.
 */
public final class ReportExporter {

    /** Renders one report at a time; must be reset before each use. */
    public interface Renderer {
        void reset();

        byte[] render(String reportId);
    }

    private final ThreadLocal<Renderer> renderers;

    /**
     * @param newRenderer  builds a renderer (slow: loads the fonts, allocates the scratch buffer)
     * @param maxRenderers how many renderers the server can afford to keep. The request pool used
     *                     to have this many threads, so one renderer per thread stayed within it.
     */
    public ReportExporter(Supplier<Renderer> newRenderer, int maxRenderers) {
        this.renderers = ThreadLocal.withInitial(newRenderer);
    }

    /** Renders one report; called concurrently, from one virtual thread per request. */
    public byte[] export(String reportId) throws InterruptedException {
        Renderer renderer = renderers.get();
        try {
            renderer.reset();
            return renderer.render(reportId);
        } finally {
            renderers.remove(); // virtual threads: never leave a ThreadLocal behind
        }
    }
}
