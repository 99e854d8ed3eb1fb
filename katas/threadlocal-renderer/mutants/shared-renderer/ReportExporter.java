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

    /** Built once, shared by every export. */
    private final Renderer renderer;

    public ReportExporter(Supplier<Renderer> newRenderer) {
        this.renderer = newRenderer.get();
    }

    /** Renders one report; called concurrently, from one virtual thread per request. */
    public byte[] export(String reportId) throws InterruptedException {
        renderer.reset();
        return renderer.render(reportId);
    }
}
